/**
 * Where an error is in the request body: field names and array indexes, outermost first (`['embeds', 0, 'title']`).
 * The empty path is the body itself, which Discord reports as `errors._errors`.
 */
export type FormErrorPath = readonly (string | number)[];

/** One error at one path, as Discord writes it (docs/protocol.md, "Form validation"): a code to switch on, a message. */
export interface FormError {
  code: string;
  message: string;
}

/**
 * Discord's nested `errors` object: one key per field name or array index (indexes as strings), and `_errors` where
 * errors sit. `{ embeds: { '0': { title: { _errors: [...] } } } }`.
 */
export interface FormErrorTree {
  _errors?: FormError[];
  [key: string]: FormErrorTree | FormError[] | undefined;
}

/** The body of Discord's 50035 answer (HTTP 400), exactly as a REST server sends it. */
export interface InvalidFormBodyJSON {
  code: 50035;
  message: 'Invalid Form Body';
  errors: FormErrorTree;
}

/** Options of `FormErrors`. */
export interface FormErrorsOptions {
  /**
   * How many errors the JSON body keeps; later ones are counted (`count`) but not kept, so a huge hostile body cannot
   * make a huge answer. Default: 100 (`defaultFormErrorsOptions`).
   */
  maxErrors?: number;
}

export const defaultFormErrorsOptions = { maxErrors: 100 } as const satisfies Required<FormErrorsOptions>;

/** A node of the tree being built. Maps, not objects, so no field name can reach a prototype. */
interface Node {
  errors: FormError[];
  children: Map<string, Node>;
}

const emptyNode = (): Node => ({ errors: [], children: new Map() });

/**
 * Collects the errors of one request body, each at its path, and writes them in Discord's 50035 shape (docs/protocol.md,
 * "Form validation"). Validators add to one collector so every error of a body is reported at once, as Discord does,
 * rather than the first one only.
 */
export class FormErrors {
  readonly maxErrors: number;
  #root: Node = emptyNode();
  #kept = 0;
  #count = 0;

  constructor(options: FormErrorsOptions = {}) {
    this.maxErrors = options.maxErrors ?? defaultFormErrorsOptions.maxErrors;
  }

  /** Every error added, kept or not. Validators compare it before and after to know whether they found something. */
  get count(): number {
    return this.#count;
  }

  /** Whether no error was added. */
  get isEmpty(): boolean {
    return this.#count === 0;
  }

  /** Whether some errors were counted but left out of the JSON body (more than `maxErrors`). */
  get truncated(): boolean {
    return this.#count > this.#kept;
  }

  /** Records `{ code, message }` at `path` (field names and array indexes; `[]` for the body itself). */
  add(path: FormErrorPath, code: string, message: string): void {
    this.#count++;
    if (this.#kept >= this.maxErrors) return;
    this.#kept++;
    let node = this.#root;
    for (const segment of path) {
      const key = String(segment);
      let child = node.children.get(key);
      if (child === undefined) {
        child = emptyNode();
        node.children.set(key, child);
      }
      node = child;
    }
    node.errors.push({ code, message });
  }

  /** Discord's 50035 body: `{ code: 50035, message: 'Invalid Form Body', errors }`. */
  toJSON(): InvalidFormBodyJSON {
    return { code: 50035, message: 'Invalid Form Body', errors: toTree(this.#root) };
  }
}

function toTree(node: Node): FormErrorTree {
  // Object.fromEntries defines own properties, so even a `__proto__` key would stay an ordinary key.
  const tree: FormErrorTree = Object.fromEntries([...node.children].map(([key, child]) => [key, toTree(child)]));
  if (node.errors.length > 0) tree._errors = node.errors.map((error) => ({ ...error }));
  return tree;
}
