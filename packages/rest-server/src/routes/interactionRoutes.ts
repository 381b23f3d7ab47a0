import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Skeleton: filled in by its owner. */
export const interactionRoutes: RouteDefinition[] = [];
