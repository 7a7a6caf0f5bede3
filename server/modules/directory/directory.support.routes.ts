import type { FastifyInstance } from 'fastify';

/** The directory's support routes. */
export async function supportRoutes(scope: FastifyInstance): Promise<void> {
  void scope;
}
