/**
 * Duplicate keys in JSON text. JSON.parse keeps the last of two equal keys
 * silently; a scenario file with one is refused instead, naming the key's
 * path. One pass over text that JSON.parse has already accepted: O(length).
 */

/** Every key that occurs twice in its object, with its JSON path (`$.vnets[0].name`), in text order. */
export function duplicateKeys(text: string): { path: string; key: string }[] {
  interface Frame { readonly array: boolean; readonly path: string; readonly keys: Set<string>; index: number; key: string | undefined }
  const out: { path: string; key: string }[] = [];
  const stack: Frame[] = [];
  const child = (f: Frame | undefined): string => {
    if (!f) return '$';
    if (f.array) return `${f.path}[${f.index}]`;
    const k = f.key ?? '';
    return /^[A-Za-z_$][\w$]*$/.test(k) ? `${f.path}.${k}` : `${f.path}[${JSON.stringify(k)}]`;
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array && top.key === undefined) {
        // A key: the next non-space character is ':'.
        let k = j + 1;
        while (k < n && /\s/.test(text[k]!)) k++;
        if (text[k] === ':') {
          const key = JSON.parse(text.slice(i, j + 1)) as string;
          top.key = key;
          if (top.keys.has(key)) out.push({ path: child(top), key });
          top.keys.add(key);
        }
      }
      i = j + 1;
      continue;
    }
    if (ch === '{' || ch === '[') {
      const top = stack[stack.length - 1];
      stack.push({ array: ch === '[', path: child(top), keys: new Set(), index: 0, key: undefined });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.key = undefined;
    }
    i++;
  }
  return out;
}
