import { duration } from '../../config/config-schema.ts';
import { loadConfig } from '../../config/load-config.ts';
import { idProblem, MAX_USER_ID_LENGTH } from '../../streams/id-grammar.ts';
import { privilegedRoles } from '../api/middleware/jwt-auth/index.ts';
import { CannotSignToken, signApiToken } from '../api/middleware/jwt-auth/sign.ts';
import { UsageError, type Command } from './command.ts';
import { parseOptions } from './options.ts';

/**
 * `marquee token`: signs a token the API accepts, with the configured JWT_SECRET (HS256), for trying
 * the ratings and recommendations routes and for services that call them. An identity provider
 * holding the private key of JWT_PUBLIC_KEY signs its own tokens; this command cannot.
 */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'sign a JWT the API accepts (with JWT_SECRET): for a user, or an admin/service role',
  usage: `usage: marquee token --sub USER [--role admin|service] [--ttl DURATION]

Prints a token signed with JWT_SECRET (HS256; in development the development default) that the API
accepts: subject USER (a user may rate and read only its own lists), an optional role (admin or
service: may act for any user), expiring after --ttl (default 1h or JWT_MAX_AGE if shorter), naming
JWT_AUDIENCE and JWT_ISSUER when those are set. With JWT_PUBLIC_KEY set the API accepts only RS256
tokens signed by the holder of its private key: this command refuses. Use it as: curl -H "Authorization: Bearer $TOKEN" …
  --sub USER        the token's subject, a user id (the id grammar of the course's stream)
  --role ROLE       admin or service
  --ttl DURATION    lifetime, e.g. 30m, 1h, 24h (default 1h)`,
  async run(args, io) {
    const values = parseOptions(args, {
      sub: { type: 'string' },
      role: { type: 'string' },
      ttl: { type: 'string' },
    });
    if (values.sub === undefined) throw new UsageError('--sub USER is required');
    const problem = idProblem(values.sub, MAX_USER_ID_LENGTH);
    if (problem !== null) throw new UsageError(`--sub: ${problem}`);
    if (values.role !== undefined && !privilegedRoles.has(values.role))
      throw new UsageError(`--role must be one of ${[...privilegedRoles].join(', ')}, got '${values.role}'`);
    const ttl = duration.safeParse(values.ttl ?? '1h');
    if (!ttl.success) throw new UsageError(`--ttl: ${ttl.error.issues[0]?.message ?? 'not a duration'}`);
    const config = loadConfig(io.env);
    // Default 1 h, or the longest the API accepts when that is shorter.
    const seconds =
      values.ttl === undefined ? Math.min(3_600, config.auth.maxAgeSec) : Math.round(ttl.data / 1000);
    if (seconds > config.auth.maxAgeSec)
      throw new UsageError(
        `--ttl ${values.ttl} is longer than JWT_MAX_AGE allows (${config.auth.maxAgeSec} s)`,
      );
    let token: string;
    try {
      token = signApiToken(config, {
        sub: values.sub,
        ...(values.role && { role: values.role }),
        ttlSec: seconds,
      });
    } catch (error) {
      if (!(error instanceof CannotSignToken)) throw error;
      io.err(`marquee token: ${error.message}`);
      return 1;
    }
    io.out(token);
    return 0;
  },
};
