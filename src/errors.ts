/**
 * The error hierarchy of vpnsim. Tests and callers check the class and the
 * `rule` id, never the wording.
 *
 * Messages read `where: what ("value"). fix`, for example
 * `connection "VNet1toSite1": shared key "ab c" has a space (R4). Use 1-128 letters or digits.`
 */

/** Base class of every error vpnsim throws on purpose. */
export class VpnsimError extends Error {
  override name = 'VpnsimError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Details carried by a {@link ValidationError}. */
export interface ValidationIssue {
  /** JSON path of the offending value (`$.connections[2].sharedKey`) or the object's name. */
  readonly path: string;
  /** Rule id from docs/rules.md (`R4`) or a structural id (`ref`, `cidr`, `duplicate`, `schema`, ...). */
  readonly rule: string;
  /** What is wrong, naming the object and the value. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** A scenario or configuration breaks a rule; nothing was built from it. */
export class ValidationError extends VpnsimError {
  override name = 'ValidationError';
  readonly path: string;
  readonly rule: string;
  readonly fix: string;
  constructor(issue: ValidationIssue) {
    super(`${issue.path}: ${issue.message} (${issue.rule}). ${issue.fix}`);
    this.path = issue.path;
    this.rule = issue.rule;
    this.fix = issue.fix;
  }
}

/**
 * Several validation errors at once: validation reports everything it found,
 * not just the first problem. `errors` holds each one.
 */
export class ScenarioValidationError extends ValidationError {
  override name = 'ScenarioValidationError';
  readonly errors: readonly ValidationError[];
  constructor(scenario: string, errors: readonly ValidationError[]) {
    const first = errors[0];
    super({
      path: first?.path ?? `scenario "${scenario}"`,
      rule: first?.rule ?? 'schema',
      message: '',
      fix: 'Fix each error listed in `errors`',
    });
    // Each issue once, as `path: what (rule). fix`; `path` and `rule` above repeat the first for callers that read one.
    this.message = `scenario "${scenario}" has ${errors.length} error${errors.length === 1 ? '' : 's'}:${errors.map((e) => `\n  ${e.message}`).join('')}`;
    this.errors = errors;
  }
}

/** A name or id that does not exist was asked for. */
export class NotFoundError extends VpnsimError {
  override name = 'NotFoundError';
  readonly rule = 'ref';
}

/** An API was called wrongly: a bad argument, a call in the wrong state. */
export class UsageError extends VpnsimError {
  override name = 'UsageError';
  readonly rule: string;
  constructor(message: string, rule = 'usage', options?: { cause?: unknown }) {
    super(message, options);
    this.rule = rule;
  }
}

/** An event handler threw during a run; `cause` is the original error. */
export class SimulationError extends VpnsimError {
  override name = 'SimulationError';
  /** Simulated time of the failing event, in seconds. */
  readonly time: number;
  /** Label of the failing event, if it had one. */
  readonly label: string | undefined;
  constructor(time: number, label: string | undefined, cause: unknown) {
    const what = cause instanceof Error ? cause.message : String(cause);
    super(`event ${label ? `"${label}"` : '(unlabelled)'} at t=${time} s threw: ${what}`, { cause });
    this.time = time;
    this.label = label;
  }
}
