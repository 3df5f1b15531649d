// Reading answers defensively: bodies may be truncated, not JSON, not UTF-8, or from a proxy.
import type { HttpResponse } from './transport.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** `problem` is a clause about the body, to follow "answered HTTP 200, but" (a ServiceError's `problem`). */
export type JsonResult = { ok: true; value: unknown } | { ok: false; problem: string };

/** Parses a body as strict UTF-8 JSON; on failure says why without echoing the body. */
export function parseJson(response: HttpResponse): JsonResult {
  let text: string;
  try {
    text = decoder.decode(response.body);
  } catch {
    return { ok: false, problem: 'the body is not valid UTF-8' };
  }
  if (text.trim() === '') return { ok: false, problem: 'the body is empty' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const type = response.header('content-type') ?? 'no content type';
    return { ok: false, problem: `the body is not valid JSON (${type}, ${response.body.length} bytes)` };
  }
}

/** The start of an error body as one printable line, for failures whose body is not the usual JSON. */
export function bodySnippet(response: HttpResponse, maxLength = 200): string {
  const text = response.body
    .toString('utf8')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim();
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or number field as a string (services send codes both ways), else undefined. */
export function stringField(object: Record<string, unknown>, key: string): string | undefined {
  const value = object[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
