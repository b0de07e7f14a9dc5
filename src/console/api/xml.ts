/** An element of an AWS query-protocol answer: its name, child elements and text. */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/**
 * Parses the plain XML the query protocol answers with (elements, text, entities; no DTD, no
 * mixed content). Written here rather than with DOMParser, a string-to-markup sink the console's
 * Trusted Types policy refuses.
 */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '', children: [], text: '' };
  const stack = [root];
  for (const token of xml.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|<[?!][^>]*>|([^<]+)/g)) {
    const [, closing, name, selfClosing, text] = token;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) top.text += decode(text);
    else if (!name) continue;
    else if (closing) {
      if (stack.length > 1) stack.pop();
    } else {
      const element: XmlElement = { name: name.replace(/^.*:/, ''), children: [], text: '' };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  return root.children[0] ?? root;
}

/** The first element named `name` at or below `element`. */
export function findElement(element: XmlElement, name: string): XmlElement | undefined {
  if (element.name === name) return element;
  for (const child of element.children) {
    const found = findElement(child, name);
    if (found) return found;
  }
  return undefined;
}
