import { describe, expect, it } from '@jest/globals';
import { requestIdFor, traceIdFromTraceparent } from './trace-context.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe('traceIdFromTraceparent', () => {
  it('takes the trace-id of a valid version 00 header', () => {
    expect(traceIdFromTraceparent(VALID)).toBe(TRACE_ID);
    expect(traceIdFromTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)).toBe(TRACE_ID);
    expect(traceIdFromTraceparent(` ${VALID} `)).toBe(TRACE_ID);
  });

  it('accepts a later version, with or without extra fields after a dash', () => {
    expect(traceIdFromTraceparent(`01-${TRACE_ID}-${PARENT_ID}-01`)).toBe(TRACE_ID);
    expect(traceIdFromTraceparent(`cc-${TRACE_ID}-${PARENT_ID}-01-what-the-future-holds`)).toBe(TRACE_ID);
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['version 00 with an extra field', `${VALID}-extra`],
    ['a later version followed by something other than a dash', `01-${TRACE_ID}-${PARENT_ID}-01x`],
    ['an all-zero trace-id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
    ['an all-zero parent-id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ['a short trace-id', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['a long parent-id', `00-${TRACE_ID}-${PARENT_ID}0-01`],
    ['a one-digit version', `0-${TRACE_ID}-${PARENT_ID}-01`],
    ['non-hex characters', `00-${TRACE_ID.slice(0, 31)}g-${PARENT_ID}-01`],
    ['missing flags', `00-${TRACE_ID}-${PARENT_ID}`],
    ['an empty header', ''],
  ])('ignores %s', (_name, header) => {
    expect(traceIdFromTraceparent(header)).toBeUndefined();
  });

  it('ignores a repeated header and a missing one', () => {
    expect(traceIdFromTraceparent([VALID, VALID])).toBeUndefined();
    expect(traceIdFromTraceparent(undefined)).toBeUndefined();
  });
});

describe('requestIdFor', () => {
  it('prefers a sane X-Request-Id over traceparent', () => {
    expect(requestIdFor({ 'x-request-id': 'abc-123', traceparent: VALID })).toBe('abc-123');
  });

  it('uses the traceparent trace-id when X-Request-Id is absent or not sane', () => {
    expect(requestIdFor({ traceparent: VALID })).toBe(TRACE_ID);
    expect(requestIdFor({ 'x-request-id': 'has spaces', traceparent: VALID })).toBe(TRACE_ID);
  });

  it('makes a new UUID when neither is usable', () => {
    expect(requestIdFor({ traceparent: `ff-${TRACE_ID}-${PARENT_ID}-01` })).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});
