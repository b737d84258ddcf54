import { INestApplicationContext, NestInterceptor, RequestMethod } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/** The handlers' HTTP methods an Idempotency-Key applies to (WRITE_METHODS), as Nest numbers them. */
const WRITES: ReadonlySet<RequestMethod> = new Set([
  RequestMethod.POST,
  RequestMethod.PUT,
  RequestMethod.PATCH,
  RequestMethod.DELETE,
  RequestMethod.ALL,
]);

/**
 * Binds the IdempotencyInterceptor to every write handler of every controller, and to no read.
 * Registered globally (APP_INTERCEPTOR) it wrapped every GET in Nest's RxJS interceptor pipeline
 * too, only to pass it through: ~10% of a pending-invitation GET's CPU. Must run after NestFactory.create
 * (controllers scanned) and before `app.init()` (which reads each handler's interceptors once).
 */
export function bindIdempotencyToWrites(app: INestApplicationContext): number {
  const interceptor = app.get(IdempotencyInterceptor);
  let bound = 0;
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const seen = new Set<string>();
      for (
        let proto = wrapper.metatype?.prototype as object | null;
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto)
      ) {
        for (const name of Object.getOwnPropertyNames(proto)) {
          if (name === 'constructor' || seen.has(name)) continue;
          seen.add(name);
          const handler = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
          if (typeof handler !== 'function') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined || !WRITES.has(method)) continue;
          const own = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as NestInterceptor[];
          Reflect.defineMetadata(INTERCEPTORS_METADATA, [interceptor, ...own], handler);
          bound++;
        }
      }
    }
  }
  return bound;
}
