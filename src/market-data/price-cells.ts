/**
 * Cell parsers shared by the price file (paper prices) and the bar file (backtest). They return
 * undefined / NaN instead of throwing, so a reader calls them on millions of cells cheaply and
 * builds its error message only for the one bad cell.
 */

const SYMBOL = /^[A-Z0-9]{1,20}[_/][A-Z0-9]{1,20}$/;

/** `BTC/USDT` or `BTC_USDT` → `BTC_USDT`; undefined when it is not a symbol. */
export function parseSymbol(text: string): string | undefined {
  if (!SYMBOL.test(text)) return undefined;
  return text.replace('/', '_');
}

const ZERO = 48;
const NINE = 57;
const DOT = 46;

/** Fast path: digits with at most one inner dot, no superfluous zero. Already canonical. */
function isCanonicalDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (dot !== -1 || i === 0 || i === n - 1) return false;
      dot = i;
    } else if (c < ZERO || c > NINE) return false;
  }
  if (text.charCodeAt(0) === ZERO && n > 1 && dot !== 1) return false; // "007"
  return dot === -1 || text.charCodeAt(n - 1) !== ZERO; // "1.50"
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The value of `text.slice(start, end)` when that is a canonical decimal (as canonicalDecimal
 * would leave it) with at most 15 significant digits; NaN otherwise (then take the slow path).
 * An integer over a power of ten is one correctly rounded division, so the result is the
 * double that Number() of the text gives, without making the string first.
 */
export function canonicalDecimalValueAt(text: string, start: number, end: number): number {
  if (end <= start) return Number.NaN;
  let mantissa = 0;
  let digits = 0;
  let places = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      if (mantissa !== 0) digits++;
      if (places >= 0) places++;
    } else if (c === DOT && places < 0 && i > start && i < end - 1) places = 0;
    else return Number.NaN;
  }
  if (digits > 15 || places > 22) return Number.NaN;
  if (text.charCodeAt(start) === ZERO && end - start > 1 && text.charCodeAt(start + 1) !== DOT) return Number.NaN; // "007"
  if (places > 0) return text.charCodeAt(end - 1) === ZERO ? Number.NaN : mantissa / (POW10[places] as number); // "1.50"
  return mantissa;
}

const DECIMAL_LIKE = /^([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]{1,3}))?$/;

/**
 * Canonical decimal text of an unsigned decimal: no exponent, no leading zeros, no trailing
 * fractional zeros (`1e3` → `1000`, `0.50` → `0.5`, `1.2E-7` → `0.00000012`); undefined when the
 * text is not such a number (a sign, a bare dot, letters, more than 999 in the exponent).
 * Digit shifting only, so the result is exact.
 */
export function canonicalDecimal(text: string): string | undefined {
  if (isCanonicalDecimal(text)) return text;
  const m = DECIMAL_LIKE.exec(text);
  if (m === null) return undefined;
  const whole = m[1] ?? '';
  const fraction = m[2] ?? '';
  const digits = whole + fraction;
  const point = whole.length + Number(m[3] ?? '0');
  let intPart: string;
  let fracPart: string;
  if (point <= 0) {
    intPart = '0';
    fracPart = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    intPart = digits + '0'.repeat(point - digits.length);
    fracPart = '';
  } else {
    intPart = digits.slice(0, point);
    fracPart = digits.slice(point);
  }
  intPart = intPart.replace(/^0+(?=[0-9])/, '');
  fracPart = fracPart.replace(/0+$/, '');
  return fracPart === '' ? intPart : `${intPart}.${fracPart}`;
}

/** Shortest text that reads back as the same double, without exponent (for ccxt's floats). */
export function decimalTextOfNumber(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  return canonicalDecimal(String(value));
}

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return Number.NaN;
    value = value * 10 + (c - ZERO);
  }
  return value;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `Z`, `+HH:MM`, `-HHMM`, `+HH` → offset in minutes; NaN when malformed. */
function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const c = zone[0];
  if (c !== '+' && c !== '-') return Number.NaN;
  const m = /^([0-9]{2})(?::?([0-9]{2}))?$/.exec(zone.slice(1));
  if (m === null) return Number.NaN;
  const minutes = Number(m[1]) * 60 + Number(m[2] ?? '0');
  return c === '-' ? -minutes : minutes;
}

/**
 * Epoch milliseconds of `YYYY-MM-DD[(T| )HH:MM[:SS[.fff…]]][Z|±HH:MM]` (no offset: UTC) or of
 * epoch milliseconds themselves (12 to 16 digits: fewer is most likely epoch seconds); NaN
 * otherwise, including impossible dates such as 2024-02-30.
 */
export function parseTimeMs(text: string): number {
  return parseTimeAt(text, 0, text.length);
}

/** parseTimeMs of `text.slice(start, end)`, without making the slice (the bar reader's hot path). */
export function parseTimeAt(text: string, start: number, end: number): number {
  const n = end - start;
  if (n >= 12 && n <= 16) {
    const ms = digitsAt(text, start, n);
    if (!Number.isNaN(ms) && text.charCodeAt(start) !== ZERO) return ms;
  }
  if (n < 10 || text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45) return Number.NaN;
  const year = digitsAt(text, start, 4);
  const month = digitsAt(text, start + 5, 2);
  const day = digitsAt(text, start + 8, 2);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) return Number.NaN;
  let ms = daysFromCivil(year, month, day) * 86_400_000;
  if (n === 10) return ms;
  const sep = text.charCodeAt(start + 10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return Number.NaN; // T t space
  if (n < 16 || text.charCodeAt(start + 13) !== 58) return Number.NaN;
  const hour = digitsAt(text, start + 11, 2);
  const minute = digitsAt(text, start + 14, 2);
  if (!(hour <= 23 && minute <= 59)) return Number.NaN;
  ms += hour * 3_600_000 + minute * 60_000;
  let i = start + 16;
  if (i < end && text.charCodeAt(i) === 58) {
    const second = i + 3 <= end ? digitsAt(text, i + 1, 2) : Number.NaN;
    if (!(second <= 59)) return Number.NaN;
    ms += second * 1000;
    i += 3;
    if (i < end && text.charCodeAt(i) === DOT) {
      let j = i + 1;
      let fraction = 0;
      let scale = 100;
      while (j < end && text.charCodeAt(j) >= ZERO && text.charCodeAt(j) <= NINE) {
        fraction += (text.charCodeAt(j) - ZERO) * scale;
        scale /= 10;
        j++;
      }
      if (j === i + 1) return Number.NaN;
      ms += Math.floor(fraction);
      i = j;
    }
  }
  if (i === end) return ms;
  const offset = zoneOffsetMinutes(text.slice(i, end));
  return Number.isNaN(offset) ? Number.NaN : ms - offset * 60_000;
}

/** Why `parseTimeMs` refused `text`, for the error message. */
export function timeProblem(text: string): string {
  if (/^[0-9]{9,11}$/.test(text)) return `"${text}" looks like epoch seconds; expected epoch milliseconds or an ISO-8601 time`;
  return `"${text}" is not an ISO-8601 time or epoch milliseconds`;
}
