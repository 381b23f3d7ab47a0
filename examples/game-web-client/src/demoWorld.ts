/**
 * The demo's world, shared by its server and its page: a flat map of `width` × `height` units, voice heard within
 * `range` units (and fading with distance inside it), one arrow-key press moving a player `step` units.
 */
export const demoWorld = {
  width: 800,
  height: 500,
  range: 200,
  step: 25,
} as const satisfies { width: number; height: number; range: number; step: number };

/** Where a player is, in world units. */
export interface DemoPosition {
  x: number;
  y: number;
}

/** What `POST /demo/join` answers: everything the page needs to be a player of the demo party. */
export interface DemoTicket {
  userId: string;
  /** The player token (docs/ENGINE-CONTRACT.md §1): the page's only credential. */
  token: string;
  partyId: string;
  joinToken: string;
  spawn: DemoPosition;
}

/** One entry of `GET /demo/state`: a party member, where the game last saw them. */
export interface DemoPlayer extends DemoPosition {
  id: string;
  name: string;
}
