/** A config.json the engine cannot read. `key` names the offending key (dotted for nested configs). */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
