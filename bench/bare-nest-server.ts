/**
 * The baseline's own handlers (bench/baseline-server.ts: the same SQL, the same bodies) mounted
 * behind NestJS on its Fastify adapter, and nothing else: no guard, pipe, interceptor, filter,
 * TypeORM or validation. Run against the baseline (`bench/ab.js`, each as a dir's `main.js`), it
 * measures what the fixed stack's router costs before any of the app's own work, which bounds
 * how close to the baseline the app can get. Env: as the baseline's.
 */
import 'reflect-metadata';
import { Controller, Get, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROUTES } from './baseline-server.js';

/** One controller method per baseline route, declared the way a decorated method would be. */
class BaselineRoutes {}
ROUTES.forEach((route, index) => {
  const name = `route${index}`;
  Object.defineProperty(BaselineRoutes.prototype, name, {
    // The handler may answer itself (the invites' 201), so Nest is told the response is handled; Nest
    // still sets a route's default status first (201 on a POST), so the accept answers 201, not 200.
    value: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = await route.handler(request, reply);
      if (!reply.sent) await reply.send(body);
    },
  });
  const descriptor = Object.getOwnPropertyDescriptor(BaselineRoutes.prototype, name)!;
  (route.method === 'GET' ? Get : Post)(route.url)(BaselineRoutes.prototype, name, descriptor);
  Req()(BaselineRoutes.prototype, name, 0);
  Res()(BaselineRoutes.prototype, name, 1);
});
Controller()(BaselineRoutes);

@Module({ controllers: [BaselineRoutes] })
class BareModule {}

const app = await NestFactory.create<NestFastifyApplication>(
  BareModule,
  new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
  { logger: false },
);
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1');
