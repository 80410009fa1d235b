// Formatting shared by every page. Pure functions, tested in format.spec.ts.

const dateTime = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const timeOnly = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const dateOnly = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : dateTime.format(date);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : dateOnly.format(date);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : timeOnly.format(date);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return formatSpan(ms);
}

/** "1 h 05 min", "4 min 09 s", "12 s", "3 d 4 h": the two largest units. */
export function formatSpan(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1_000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`;
  return `${seconds} s`;
}

/** A countdown to `targetIso` seen at `now`: "expires in 4 min 09 s" or "expired 12 s ago". */
export function formatCountdown(targetIso: string | null | undefined, now: number): string {
  if (!targetIso) return 'no expiry known';
  const target = new Date(targetIso).getTime();
  if (Number.isNaN(target)) return 'no expiry known';
  const diff = target - now;
  if (diff > 0) return `expires in ${formatSpan(diff)}`;
  return `expired ${formatSpan(-diff)} ago`;
}

/** "3 min ago", "in 2 h" (coarse, for "last refresh" style columns). */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '—';
  const diff = at - now;
  const text = formatSpan(diff);
  if (Math.abs(diff) < 1_000) return 'just now';
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined || !Number.isFinite(days)) return '—';
  if (days < 0) return `expired ${Math.abs(days)} d ago`;
  if (days === 0) return 'expires today';
  return `${days} d left`;
}

/**
 * A distinguished name on one line. Node (and so the API) separates RDNs with newlines
 * ("CN=ERP_Integration\nO=Contoso"), which HTML would run together with a bare space.
 */
export function formatDn(dn: string | null | undefined): string {
  if (!dn) return '—';
  return dn
    .split(/\r?\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .join(', ');
}

export function shortId(id: string | null | undefined): string {
  if (!id) return '—';
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}
