// The map: every party member a dot, the player's own with its hearing range around it, speakers lit. WebGL (headless
// Chromium has it through SwiftShader); a 2D canvas where WebGL is not available. `data-renderer` on the canvas says
// which one draws.
import { type DemoPlayer, demoWorld } from '../demoWorld.js';

/** What one frame shows. */
export interface MapFrame {
  players: readonly DemoPlayer[];
  me: string;
  speaking: ReadonlySet<string>;
}

export type MapView = (frame: MapFrame) => void;

type Rgb = readonly [number, number, number];
const SELF: Rgb = [0.35, 0.4, 0.95];
const OTHER: Rgb = [0.6, 0.62, 0.66];
const SPEAKING: Rgb = [0.14, 0.65, 0.35];
const RANGE: Rgb = [0.35, 0.4, 0.95];

const colour = (p: DemoPlayer, frame: MapFrame): Rgb =>
  frame.speaking.has(p.id) ? SPEAKING : p.id === frame.me ? SELF : OTHER;

export function createMapView(canvas: HTMLCanvasElement): MapView {
  const gl = canvas.getContext('webgl');
  canvas.dataset.renderer = gl ? 'webgl' : 'canvas';
  return gl ? webglView(gl) : canvasView(canvas);
}

const VERTEX = `
attribute vec2 a_position;
attribute vec3 a_colour;
uniform vec2 u_world;
uniform float u_size;
varying vec3 v_colour;
void main() {
  vec2 clip = a_position / u_world * 2.0 - 1.0;
  gl_Position = vec4(clip.x, -clip.y, 0.0, 1.0);
  gl_PointSize = u_size;
  v_colour = a_colour;
}`;

const FRAGMENT = `
precision mediump float;
varying vec3 v_colour;
uniform bool u_round;
void main() {
  if (u_round && length(gl_PointCoord - 0.5) > 0.5) discard;
  gl_FragColor = vec4(v_colour, 1.0);
}`;

function webglView(gl: WebGLRenderingContext): MapView {
  const program = gl.createProgram();
  for (const [type, source] of [
    [gl.VERTEX_SHADER, VERTEX],
    [gl.FRAGMENT_SHADER, FRAGMENT],
  ] as const) {
    const shader = gl.createShader(type);
    if (!shader || !program) throw new Error('WebGL: no shader');
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  gl.useProgram(program);
  const buffer = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
  const position = gl.getAttribLocation(program, 'a_position');
  const rgb = gl.getAttribLocation(program, 'a_colour');
  gl.enableVertexAttribArray(position);
  gl.enableVertexAttribArray(rgb);
  gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 20, 0);
  gl.vertexAttribPointer(rgb, 3, gl.FLOAT, false, 20, 8);
  gl.uniform2f(gl.getUniformLocation(program, 'u_world'), demoWorld.width, demoWorld.height);
  const size = gl.getUniformLocation(program, 'u_size');
  const round = gl.getUniformLocation(program, 'u_round');

  const draw = (mode: number, vertices: number[], pointSize: number, isRound: boolean) => {
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(vertices), gl.DYNAMIC_DRAW);
    gl.uniform1f(size, pointSize);
    gl.uniform1i(round, isRound ? 1 : 0);
    gl.drawArrays(mode, 0, vertices.length / 5);
  };

  return (frame) => {
    gl.viewport(0, 0, gl.canvas.width, gl.canvas.height);
    gl.clearColor(0.07, 0.07, 0.08, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    const me = frame.players.find((p) => p.id === frame.me);
    if (me) {
      const ring: number[] = [];
      for (let i = 0; i < 64; i++) {
        const a = (i / 64) * Math.PI * 2;
        ring.push(me.x + Math.cos(a) * demoWorld.range, me.y + Math.sin(a) * demoWorld.range, ...RANGE);
      }
      draw(gl.LINE_LOOP, ring, 1, false);
    }
    draw(
      gl.POINTS,
      frame.players.flatMap((p) => [p.x, p.y, ...colour(p, frame)]),
      16,
      true,
    );
  };
}

function canvasView(canvas: HTMLCanvasElement): MapView {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas either');
  const sx = canvas.width / demoWorld.width;
  const sy = canvas.height / demoWorld.height;
  const css = ([r, g, b]: Rgb) => `rgb(${r * 255}, ${g * 255}, ${b * 255})`;
  return (frame) => {
    ctx.fillStyle = '#111214';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const me = frame.players.find((p) => p.id === frame.me);
    if (me) {
      ctx.strokeStyle = css(RANGE);
      ctx.beginPath();
      ctx.ellipse(me.x * sx, me.y * sy, demoWorld.range * sx, demoWorld.range * sy, 0, 0, Math.PI * 2);
      ctx.stroke();
    }
    for (const p of frame.players) {
      ctx.fillStyle = css(colour(p, frame));
      ctx.beginPath();
      ctx.arc(p.x * sx, p.y * sy, 8, 0, Math.PI * 2);
      ctx.fill();
    }
  };
}
