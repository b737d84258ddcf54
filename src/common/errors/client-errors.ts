import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from './app-error.js';
import { ErrorCode } from './error-code.js';
import { renderCanonical } from './error-envelope.js';
import { sendError } from './error-response.js';

/**
 * Errors Node's HTTP parser raises before there is a request to route (headers over the size
 * limit, a request that never finished, bytes that are not HTTP). Fastify would answer them with
 * its own JSON; this answers with our envelope, then closes the connection as Node does.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const appError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError(ErrorCode.REQUEST_HEADERS_TOO_LARGE)
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError(ErrorCode.REQUEST_TIMEOUT)
        : AppError.validation(
            [{ loc: ['request'], msg: 'The HTTP request is malformed.', type: 'http_invalid' }],
            'The HTTP request is malformed.',
          );
  const traceId = randomUUID();
  const { status, body } = renderCanonical(appError, traceId);
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nX-Request-Id: ${traceId}\r\nX-Content-Type-Options: nosniff\r\n` +
        `Connection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}

/**
 * Errors of Fastify's router before a route is chosen (a path segment that is not valid URL
 * encoding, or longer than any ID could be). They get the envelope of the surface the URL names.
 */
export function frameworkErrorHandler(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  // No hook ran (helmet neither): the headers every JSON answer needs are set here.
  reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
  sendError(request, reply, error);
}
