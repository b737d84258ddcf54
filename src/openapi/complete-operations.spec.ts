import { describe, expect, it } from '@jest/globals';
import { Controller, Delete, Post } from '@nestjs/common';
import { DECORATORS, OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors, ERROR_CODES_EXTENSION } from '../common/openapi/api-errors.decorator.js';
import { completeOperations } from './complete-operations.js';

function documentWith(path: string, method: 'post' | 'delete', codes: ErrorCode[]): OpenAPIObject {
  const operation = {
    operationId: 'op',
    responses: { '200': { description: '' } },
    [ERROR_CODES_EXTENSION]: codes,
  } as OperationObject;
  return { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: { [path]: { [method]: operation } } };
}

function responsesOf(document: OpenAPIObject, path: string, method: 'post' | 'delete') {
  return document.paths[path][method]!.responses as Record<string, ResponseObject>;
}

const exampleCodes = (response: ResponseObject) =>
  Object.keys(response.content?.['application/json']?.examples ?? {});

describe('completeOperations: error responses from declared codes', () => {
  it('groups the codes by status, describes each and gives each an example, beside the common ones', () => {
    const path = '/v1/organizations/{organization_id}/roles/{role_id}';
    const doc = completeOperations(
      documentWith(path, 'delete', [
        ErrorCode.ROLE_IN_USE,
        ErrorCode.ROLE_NOT_FOUND,
        ErrorCode.ROLE_IS_SYSTEM,
      ]),
    );
    const responses = responsesOf(doc, path, 'delete');
    expect(Object.keys(responses).sort()).toEqual(
      ['200', '400', '404', '409', '413', '415', '422', '429', '500', '503'].sort(),
    );
    // A body method also accepts an Idempotency-Key, so it can answer that key's two refusals.
    expect(exampleCodes(responses['409']).sort()).toEqual([
      'IDEMPOTENCY_KEY_IN_USE',
      'ROLE_IN_USE',
      'ROLE_IS_SYSTEM',
    ]);
    expect(exampleCodes(responses['422'])).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(doc.paths[path].delete!.parameters).toEqual([{ $ref: '#/components/parameters/IdempotencyKey' }]);
    expect(responses['409'].description).toContain('`ROLE_IN_USE`');
    expect(responses['409'].description).toContain('`ROLE_IS_SYSTEM`');
    expect(responses['404'].description).toMatch(/^`ROLE_NOT_FOUND`: /);
    expect(responses['404'].content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/ErrorEnvelopeDto',
    });
    const example = responses['404'].content?.['application/json']?.examples?.ROLE_NOT_FOUND as {
      value: { error: { code: string; status: number } };
    };
    expect(example.value.error).toMatchObject({ code: 'ROLE_NOT_FOUND', status: 404 });
    // The extension carried the codes to this step only.
    expect(doc.paths[path].delete).not.toHaveProperty(ERROR_CODES_EXTENSION);
  });

  it('renders the org-slug routes in their own envelope, where VALIDATION_ERROR is a 422', () => {
    const path = '/api/v1/org/{slug}/invitations';
    const responses = responsesOf(completeOperations(documentWith(path, 'post', [])), path, 'post');
    expect(responses['400']).toBeUndefined();
    expect(exampleCodes(responses['422'])).toEqual(['VALIDATION_ERROR', 'IDEMPOTENCY_KEY_REUSED']);
    expect(responses['422'].content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/OrgSlugErrorDto',
    });
    const example = responses['422'].content?.['application/json']?.examples?.VALIDATION_ERROR as {
      value: Record<string, unknown>;
    };
    expect(example.value).toMatchObject({ code: 422, type: 'validation_error' });
  });

  it('refuses an error response declared directly rather than by its codes', () => {
    const path = '/v1/x';
    const doc = documentWith(path, 'post', []);
    doc.paths[path].post!.responses['404'] = { description: 'Not found (ROLE_NOT_FOUND)' };
    expect(() => completeOperations(doc)).toThrow(/declare their codes with @ApiErrors/);
  });
});

describe('@ApiErrors and @Access', () => {
  it("add up: the guard's codes for the access level and the route's own", () => {
    @Controller('x')
    class ExampleController {
      @Delete()
      @Access('admin')
      @ApiErrors(ErrorCode.ROLE_NOT_FOUND)
      @ApiErrors(ErrorCode.ROLE_IN_USE, ErrorCode.ROLE_NOT_FOUND)
      remove(): void {}

      @Post()
      @Access('public')
      open(): void {}
    }
    const codesOf = (handler: object) =>
      (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler) as Record<string, unknown>)[
        ERROR_CODES_EXTENSION
      ];
    const { prototype } = ExampleController;
    expect(new Set(codesOf(prototype.remove) as ErrorCode[])).toEqual(
      new Set([
        ErrorCode.ROLE_NOT_FOUND,
        ErrorCode.ROLE_IN_USE,
        ErrorCode.AUTHENTICATION_REQUIRED,
        ErrorCode.INVALID_API_KEY,
        ErrorCode.INVALID_TOKEN,
        ErrorCode.TOKEN_EXPIRED,
        ErrorCode.EMAIL_NOT_VERIFIED,
        ErrorCode.ORGANIZATION_NOT_FOUND,
        ErrorCode.INSUFFICIENT_PERMISSIONS,
      ]),
    );
    expect(codesOf(prototype.open)).toEqual([]);
  });
});
