import { describe, expect, it } from 'vitest';
import { preferenceFor } from '../../src/app/fan-out.js';

describe('preferenceFor: the channels tried for a message', () => {
  const withPhone = { contactId: 'c', name: 'C', phone: '0900000004', email: 'c@example.org' };
  it('is the contact\'s own order for reminders and escalations', () => {
    expect(preferenceFor(withPhone, 'reminder')).toEqual(['zalo_zns', 'email']);
    expect(preferenceFor({ ...withPhone, channels: ['zalo_oa', 'zalo_zns', 'email'] }, 'escalation')).toEqual(['zalo_oa', 'zalo_zns', 'email']);
  });
  it('never offers a ZNS template for a digest, falling back to email when nothing else is left', () => {
    expect(preferenceFor(withPhone, 'digest')).toEqual(['email']);
    expect(preferenceFor({ ...withPhone, channels: ['zalo_oa', 'zalo_zns', 'email'] }, 'digest')).toEqual(['zalo_oa', 'email']);
    expect(preferenceFor({ ...withPhone, channels: ['zalo_zns'] }, 'digest')).toEqual(['email']);
  });
});
