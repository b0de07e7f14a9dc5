/**
 * The XML answers of the AWS query protocol (IAM, STS) as plain values: an element holding
 * text is its text, one holding elements an object of them, and a list (`<member>` items)
 * an array. Enough for answers Coffer writes: no attributes are kept, no mixed content.
 */
export type QueryValue = string | QueryValue[] | { [name: string]: QueryValue };

interface Element {
  name: string;
  children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    return ENTITIES[entity] ?? whole;
  });
}

function parse(xml: string): Element {
  const root: Element = { name: '', children: [], text: '' };
  const stack = [root];
  const token = /<\?[^>]*\?>|<!--[\s\S]*?-->|<(\/?)([\w:.-]+)[^>]*?(\/?)>|([^<]+)/g;
  for (let m = token.exec(xml); m; m = token.exec(xml)) {
    const top = stack.at(-1)!;
    if (m[4] !== undefined) top.text += decode(m[4]);
    else if (m[2] === undefined) continue;
    else if (m[1]) {
      if (stack.length > 1) stack.pop();
    } else {
      const element: Element = { name: m[2], children: [], text: '' };
      top.children.push(element);
      if (!m[3]) stack.push(element);
    }
  }
  return root.children[0] ?? root;
}

function valueOf(element: Element): QueryValue {
  if (!element.children.length) return element.text.trim();
  if (element.children.every((child) => child.name === 'member')) return element.children.map(valueOf);
  const out: { [name: string]: QueryValue } = {};
  for (const child of element.children) out[child.name] = valueOf(child);
  return out;
}

/** The answer's root element as a value (its name dropped): `{ ListUsersResult: {...}, ResponseMetadata: {...} }`. */
export function readQueryAnswer(xml: string): { [name: string]: QueryValue } {
  const value = valueOf(parse(xml));
  return typeof value === 'object' && !Array.isArray(value) ? value : {};
}
