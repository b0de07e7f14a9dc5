/**
 * IPv4 and IPv6 CIDR blocks for the IpAddress operators. Addresses are held as eight 16-bit
 * groups, IPv4 in the last two, so one comparison serves both families.
 */

interface CidrBlock {
  readonly ipv4: boolean;
  readonly network: Uint16Array;
  readonly prefix: number;
}

/** Parses an address into `out`: 4 or 6 for the family, 0 when it is not an address. */
export function parseIpAddress(text: string, out: Uint16Array): 0 | 4 | 6 {
  if (text.includes(':')) {
    if (!parseIpv6(text, out)) return 0;
    // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; policies name them as IPv4.
    return isIpv4Mapped(out) ? 4 : 6;
  }
  return parseIpv4(text, 0, text.length, out, 6) ? 4 : 0;
}

/** `203.0.113.0/24`, `2001:DB8::/32`, or an address alone (a /32 or /128). */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf('/');
  const network = new Uint16Array(8);
  const family = parseIpAddress(slash < 0 ? text : text.slice(0, slash), network);
  if (family === 0) return undefined;
  const width = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(width) : text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > width) return undefined;
  const block = { ipv4: family === 4, network, prefix };
  maskInPlace(network, firstGroup(block), prefix);
  return block;
}

/** IPv4 lives in the last two groups; the groups before differ between plain and mapped forms. */
function firstGroup(block: CidrBlock): number {
  return block.ipv4 ? 6 : 0;
}

export function cidrContains(block: CidrBlock, family: 4 | 6, address: Uint16Array): boolean {
  if (block.ipv4 !== (family === 4)) return false;
  let bits = block.prefix;
  for (let i = firstGroup(block); bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((address[i]! & mask) !== block.network[i]) return false;
  }
  return true;
}

function maskInPlace(groups: Uint16Array, first: number, prefix: number): void {
  for (let i = first; i < 8; i++) {
    const bits = prefix - (i - first) * 16;
    if (bits < 16) groups[i] = bits <= 0 ? 0 : groups[i]! & ((0xffff << (16 - bits)) & 0xffff);
  }
}

function isIpv4Mapped(groups: Uint16Array): boolean {
  for (let i = 0; i < 5; i++) if (groups[i] !== 0) return false;
  return groups[5] === 0xffff;
}

/** Dotted quad in text[start, end) into out[at], out[at + 1]; the IPv4 form also zeroes the rest. */
function parseIpv4(text: string, start: number, end: number, out: Uint16Array, at: number): boolean {
  let value = 0;
  let octet = -1;
  let octets = 0;
  for (let i = start; i <= end; i++) {
    const code = i < end ? text.charCodeAt(i) : 46; // a final '.' closes the last octet
    if (code === 46) {
      if (octet < 0 || octets === 4) return false;
      value = value * 256 + octet;
      octets++;
      octet = -1;
    } else if (code >= 48 && code <= 57) {
      octet = octet < 0 ? code - 48 : octet * 10 + code - 48;
      if (octet > 255) return false;
    } else return false;
  }
  if (octets !== 4) return false;
  if (at === 6) out.fill(0, 0, 6);
  out[at] = Math.floor(value / 65536);
  out[at + 1] = value % 65536;
  return true;
}

function parseIpv6(text: string, out: Uint16Array): boolean {
  const end = text.length;
  let groups = 0;
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let stop = i;
    let dotted = false;
    for (; stop < end && text.charCodeAt(stop) !== 58; stop++) if (text.charCodeAt(stop) === 46) dotted = true;
    if (dotted) {
      // An embedded IPv4 address ends the text and fills two groups.
      if (stop !== end || groups > 6 || !parseIpv4(text, i, stop, out, groups)) return false;
      groups += 2;
      break;
    }
    if (stop - i < 1 || stop - i > 4 || groups === 8) return false;
    let group = 0;
    for (let k = i; k < stop; k++) {
      const digit = hexDigit(text.charCodeAt(k));
      if (digit < 0) return false;
      group = group * 16 + digit;
    }
    out[groups++] = group;
    if (stop === end) break;
    if (text.charCodeAt(stop + 1) === 58) {
      if (gap >= 0) return false;
      gap = groups;
      i = stop + 2;
    } else {
      i = stop + 1;
      if (i === end) return false;
    }
  }
  if (gap < 0) return groups === 8;
  if (groups > 7) return false;
  // Slide the groups after '::' to the end and zero the gap.
  const after = groups - gap;
  out.copyWithin(8 - after, gap, groups);
  out.fill(0, gap, 8 - after);
  return true;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}
