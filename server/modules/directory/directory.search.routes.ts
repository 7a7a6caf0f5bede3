import type { FastifyInstance } from 'fastify';

/** The directory's search routes. */
export async function searchRoutes(scope: FastifyInstance): Promise<void> {
  void scope;
}
