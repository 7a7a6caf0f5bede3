import type { FastifyInstance } from 'fastify';

/** The directory's people routes. */
export async function peopleRoutes(scope: FastifyInstance): Promise<void> {
  void scope;
}
