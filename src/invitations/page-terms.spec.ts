import { describe, expect, it } from '@jest/globals';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { inPageTerms, inTermsOf } from './page-terms.js';

const unknownRole = () =>
  AppError.validation(
    [
      {
        loc: ['body', 'role_ids', 0],
        msg: 'rol_x is not a role of this organization',
        type: 'role_not_found',
      },
      { loc: ['body', 'department_ids', 1], msg: 'dep_y is not a department', type: 'department_not_found' },
    ],
    'Some IDs are unknown.',
  );

describe('inPageTerms', () => {
  it("renames the service's list field to the page's single field, dropping the index", () => {
    const error = inPageTerms(unknownRole(), { fields: { role_ids: 'role_id' } }) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(ErrorCode.VALIDATION_ERROR);
    expect(error.message).toBe('Some IDs are unknown.');
    expect(error.details.errors).toEqual([
      { loc: ['body', 'role_id'], msg: 'rol_x is not a role of this organization', type: 'role_not_found' },
      { loc: ['body', 'department_ids', 1], msg: 'dep_y is not a department', type: 'department_not_found' },
    ]);
  });

  it('replaces the message of the codes the page words its own way, keeping details and headers', () => {
    const original = new AppError(
      ErrorCode.USER_ALREADY_EXISTS,
      undefined,
      { email: 'a@b.c' },
      { 'X-A': '1' },
    );
    const error = inPageTerms(original, {
      messages: { [ErrorCode.USER_ALREADY_EXISTS]: 'User already exists in organization' },
    }) as AppError;
    expect(error.code).toBe(ErrorCode.USER_ALREADY_EXISTS);
    expect(error.message).toBe('User already exists in organization');
    expect(error.details).toEqual({ email: 'a@b.c' });
    expect(error.headers).toEqual({ 'X-A': '1' });
  });

  it('passes through what the terms do not name', () => {
    const other = new AppError(ErrorCode.INVITATION_ALREADY_PENDING);
    expect(inPageTerms(other, { messages: { [ErrorCode.USER_ALREADY_EXISTS]: 'x' } })).toBe(other);
    const plain = new Error('boom');
    expect(inPageTerms(plain, { fields: { role_ids: 'role' } })).toBe(plain);
    const fields = (inPageTerms(unknownRole(), { fields: { constructor: 'x' } }) as AppError).details.errors;
    expect(fields).toEqual(unknownRole().details.errors);
  });
});

describe('inTermsOf', () => {
  it("returns the call's result, and rethrows its error in the page's terms", async () => {
    await expect(inTermsOf({}, () => Promise.resolve(7))).resolves.toBe(7);
    await expect(
      inTermsOf({ fields: { role_ids: 'role' } }, () => Promise.reject(unknownRole())),
    ).rejects.toMatchObject({
      details: { errors: [{ loc: ['body', 'role'] }, { loc: ['body', 'department_ids', 1] }] },
    });
  });
});
