import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A configuration file as read from disk: its path relative to config/ and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** One problem in the configuration, pointing at the file, line and field. */
export interface CatalogueIssue {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Field path inside the file: "obligations[3].rule.date". */
  readonly field?: string;
  readonly message: string;
}

export function formatIssue(issue: CatalogueIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out;
}

/** A parsed YAML file that can say where any field path is. */
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly data: unknown,
    readonly syntaxIssues: readonly CatalogueIssue[],
  ) {}

  static parse(file: SourceFile): YamlSource {
    const lines = new LineCounter();
    // YAML 1.2 core schema: dates stay strings ("2020-05-21"), duplicate keys are errors.
    const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
    // linePos is only filled with prettyErrors; compute it from the offset instead.
    const syntaxIssues = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { file: file.path, line: pos.line, column: pos.col, message: `YAML không đọc được: ${e.message.split('\n')[0]}` };
    });
    let data: unknown = null;
    if (syntaxIssues.length === 0) {
      try {
        data = doc.toJS({ maxAliasCount: 50 });
      } catch (e) {
        // An alias bomb ("billion laughs") stops here instead of filling memory: reported, not thrown.
        syntaxIssues.push({ file: file.path, line: 1, column: 1, message: `YAML không đọc được: ${(e as Error).message.split('\n')[0]} (quá nhiều alias *tên; chép nội dung ra thay vì lồng alias)` });
      }
    }
    return new YamlSource(file.path, doc, lines, data, syntaxIssues);
  }

  issueAt(path: readonly PropertyKey[], message: string): CatalogueIssue {
    const pos = this.locate(path);
    return { file: this.file, line: pos?.line, column: pos?.col, field: path.length ? fieldPath(path) : undefined, message };
  }

  /** Position of the deepest node on `path` that exists (the key itself for a map entry). */
  private locate(path: readonly PropertyKey[]): { line: number; col: number } | undefined {
    let node: unknown = this.doc.contents;
    let offset: number | undefined = (node as Node | null)?.range?.[0];
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : this.lines.linePos(offset);
  }
}
