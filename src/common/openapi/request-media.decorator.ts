import { ApiExtension } from '@nestjs/swagger';
import type { RequestBodyObject } from '@nestjs/swagger';

type MediaTypeObject = RequestBodyObject['content'][string];

/** Read by src/openapi/complete-operations.ts, which moves it into the operation's request body. */
export const REQUEST_MEDIA_EXTENSION = 'x-request-media';

/**
 * Documents request media types a route takes besides JSON (e.g. `text/csv` with a string schema):
 * `@ApiBody` can only give one schema to every media type it lists.
 */
export function ApiRequestMedia(media: Record<string, MediaTypeObject>): MethodDecorator {
  return ApiExtension(REQUEST_MEDIA_EXTENSION, media);
}
