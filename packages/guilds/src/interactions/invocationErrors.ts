import { type FormErrorPath, FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';

/** A 50035 with one error at `path`: how Discord refuses an invocation or a callback whose body does not fit. */
export function invalidAt(path: FormErrorPath, code: string, message: string): InvalidFormBodyError {
  const errors = new FormErrors();
  errors.add(path, code, message);
  return new InvalidFormBodyError(errors.toJSON());
}
