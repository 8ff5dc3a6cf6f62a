/** The link-signing secret tests use (never a real one). */
export const TEST_SECRET = 'test-secret-for-signed-links-0123456789';
