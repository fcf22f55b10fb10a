import { describe, expect, it } from 'vitest';
import { PlanexecError, VenueRejected } from '../../src/domain/errors.js';
import { ExecutionError, ExecutionErrorCode, hasExecutionCode, isExecutionErrorCode, isInDoubtUnresolved } from '../../src/orchestration/execution-errors.js';

describe('typed execution error codes', () => {
  it('isInDoubtUnresolved is true for the in-doubt failure, also when rebuilt from the journal as a plain PlanexecError', () => {
    expect(isInDoubtUnresolved(new ExecutionError('still unknown', ExecutionErrorCode.IN_DOUBT_UNRESOLVED))).toBe(true);
    expect(isInDoubtUnresolved(new PlanexecError('still unknown', { code: 'IN_DOUBT_UNRESOLVED' }))).toBe(true);
  });

  it('isInDoubtUnresolved is false for other codes and for errors that are not planexec errors', () => {
    expect(isInDoubtUnresolved(new ExecutionError('gave up', ExecutionErrorCode.RETRIES_EXHAUSTED))).toBe(false);
    expect(isInDoubtUnresolved(new VenueRejected('no', 'INVALID_ORDER'))).toBe(false);
    expect(isInDoubtUnresolved(new Error('IN_DOUBT_UNRESOLVED'))).toBe(false);
    expect(isInDoubtUnresolved({ code: 'IN_DOUBT_UNRESOLVED' })).toBe(false);
  });

  it('hasExecutionCode compares the code it is given', () => {
    const missing = new ExecutionError('unprotected', ExecutionErrorCode.PROTECTION_MISSING);
    expect(hasExecutionCode(missing, ExecutionErrorCode.PROTECTION_MISSING)).toBe(true);
    expect(hasExecutionCode(missing, ExecutionErrorCode.CLOSE_INCOMPLETE)).toBe(false);
  });

  it('a misspelled code does not compile, neither in the helper nor against an ExecutionError', () => {
    const error = new ExecutionError('still unknown', ExecutionErrorCode.IN_DOUBT_UNRESOLVED);
    // @ts-expect-error 'IN_DOUBT_UNRESOLVE' is no ExecutionErrorCode
    expect(hasExecutionCode(error, 'IN_DOUBT_UNRESOLVE')).toBe(false);
    // @ts-expect-error the comparison has no overlap with ExecutionErrorCode
    expect(error.code === 'IN_DOUBT_UNRESOLVE').toBe(false);
  });

  it('isExecutionErrorCode recognises exactly the wire values of ExecutionErrorCode', () => {
    expect(Object.values(ExecutionErrorCode).every(isExecutionErrorCode)).toBe(true);
    expect(Object.entries(ExecutionErrorCode).every(([key, value]) => key === value)).toBe(true);
    expect(['in_doubt_unresolved', 'VENUE_REJECTED', 'toString', 'constructor'].some(isExecutionErrorCode)).toBe(false);
  });
});
