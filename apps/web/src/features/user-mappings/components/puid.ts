/** A HexPUID is 16 hexadecimal digits; Windows Live writes it in upper case. */
export function normalizePuid(input: string): string {
  return input.trim().replace(/\s+/g, '').toUpperCase();
}

export function puidError(input: string): string | null {
  const puid = normalizePuid(input);
  if (!puid) return 'Enter a PUID';
  if (!/^[0-9A-F]{16}$/.test(puid)) return 'A PUID is 16 hexadecimal digits, such as 00037FFE8A0B1C2D';
  return null;
}
