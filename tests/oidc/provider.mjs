// A HelseID-like OpenID provider for the tests: `oidc-provider` (npm, a certified
// implementation) configured the way Norsk Helsenett runs HelseID.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 12345, "clients": [{"client_id", "jwks": {"keys": [public JWK]},
// "claims": {extra access-token claims for client credentials}, "token_ttl": seconds}],
// "signing_keys": [private JWKs, the first signs] (absent: oidc-provider's development key),
// "dpop_nonce": true to require a server nonce in DPoP proofs at the token endpoint}.
// Every request's method and path is written to stdout (the harness counts JWKS fetches).
// Authorization code + PKCE, private_key_jwt, DPoP, client credentials, RP-initiated logout,
// resource indicators (access tokens are JWTs, typ at+jwt, with cnf.jkt when DPoP-bound; the
// resource nhn:msh gets the message server's scope nhn:msh/api) and HelseID's claims. Log in on the dev interaction page with an account id below (any password).
// All identities are synthetic (Tenor national IDs, made-up HPR numbers).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { interactionPolicy } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

const HPR = 'helseid://claims/hpr/hpr_number';
const PID = 'helseid://claims/identity/pid';
const LEVEL = 'helseid://claims/identity/security_level';
const ORGNR = 'helseid://claims/client/claims/orgnr_parent';
const DETAILS = 'helseid://claims/hpr/hpr_details';
// The message server's audience and scope (../shared/standards/README.md).
const MSH_AUDIENCE = 'nhn:msh';
const MSH_SCOPE = 'nhn:msh/api';

// HelseID's hpr_details: the person's approvals in the Health Personnel Register (LE = doctor).
function details(hpr, profession) {
  return {
    hpr_number: Number(hpr),
    approvals: [{
      profession,
      authorization: { value: '1', description: 'Autorisasjon' },
      requisition_rights: [],
      specialities: [],
    }],
  };
}

const ACCOUNTS = {
  // A GP the service has never seen: gets a GP account on first login.
  'ny-fastlege': {
    name: 'Nina Nyfastlege', [HPR]: '9123456', [DETAILS]: details('9123456', 'LE'),
    [PID]: '14838000089', [LEVEL]: '4',
  },
  // The same kind of person, but logged in with a level-3 method: refused.
  'fastlege-niva3': {
    name: 'Tor Tredje', [HPR]: '9234567', [DETAILS]: details('9234567', 'LE'),
    [PID]: '02867500076', [LEVEL]: '3',
  },
  // A psychologist the admin has created (tests/cast.py, HPR 2345678).
  'psykolog-per': {
    name: 'Per Psykolog', [HPR]: '2345678', [DETAILS]: details('2345678', 'PS'),
    [PID]: '20819000051', [LEVEL]: '4',
  },
  // A nurse the service has never seen: health personnel, but not a doctor, so no GP account.
  'sykepleier-siri': {
    name: 'Siri Sykepleier', [HPR]: '9345678', [DETAILS]: details('9345678', 'SP'),
    [PID]: '14838000251', [LEVEL]: '4',
  },
  // NAV staff: no HPR number, matched by national identity (linked by an admin).
  'nav-nils': { name: 'Nils NAV', [PID]: '14838000170', [LEVEL]: '4' },
};

const CLIENT_CLAIMS = Object.fromEntries(config.clients.map((c) => [c.client_id, c.claims || {}]));
const CLIENT_TTL = Object.fromEntries(config.clients.map((c) => [c.client_id, c.token_ttl || 300]));

// HelseID asks health personnel for no consent; the 'native' clients above would otherwise be
// asked on every login.
const policy = interactionPolicy.base();
policy.get('consent').checks.remove('native_client_prompt');

const configuration = {
  ...(config.signing_keys ? { jwks: { keys: config.signing_keys } } : {}),
  interactions: { policy },
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    // 'native' lets the loopback redirect URIs of the tests' servers use any port (RFC 8252).
    application_type: 'native',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: client.jwks,
    grant_types: ['authorization_code', 'client_credentials'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/login/oidc/helseid/callback'],
    post_logout_redirect_uris: ['http://127.0.0.1/login?logged_out=1'],
    scope: [
      'openid profile',
      'helseid://scopes/identity/pid helseid://scopes/identity/security_level',
      'helseid://scopes/hpr/hpr_number',
      'nhn:helseiarbeid/referrals.read nhn:helseiarbeid/referrals.write',
      MSH_SCOPE,
    ].join(' '),
  })),
  scopes: [
    'openid', 'nhn:helseiarbeid/referrals.read', 'nhn:helseiarbeid/referrals.write', MSH_SCOPE,
  ],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    'helseid://scopes/identity/pid': [PID],
    'helseid://scopes/identity/security_level': [LEVEL],
    'helseid://scopes/hpr/hpr_number': [HPR, DETAILS],
  },
  // HelseID puts the identity claims in the ID token itself.
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    const account = ACCOUNTS[sub];
    if (!account) return undefined;
    return { accountId: sub, async claims() { return { sub, ...account }; } };
  },
  // Health personnel are not asked for consent: the grant is made for what was asked.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    // "dpop_nonce": true makes the token endpoint ask for its nonce (use_dpop_nonce), as
    // HelseID does.
    dPoP: config.dpop_nonce
      ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
      : { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      async defaultResource() { return undefined; },
      async useGrantedResource() { return true; },
      async getResourceServerInfo(ctx, resourceIndicator, client) {
        if (resourceIndicator === MSH_AUDIENCE) {
          // Norsk Helsenett's message server, as HelseID issues tokens for it.
          return {
            scope: MSH_SCOPE,
            audience: MSH_AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: CLIENT_TTL[client.clientId],
            jwt: { sign: { alg: 'RS256' } },
          };
        }
        return {
          scope: 'nhn:helseiarbeid/referrals.read nhn:helseiarbeid/referrals.write',
          audience: resourceIndicator,
          accessTokenFormat: 'jwt',
          accessTokenTTL: CLIENT_TTL[client.clientId],
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'ClientCredentials') return undefined;
    const claims = CLIENT_CLAIMS[token.clientId] || {};
    return Object.fromEntries(Object.entries(claims).map(([key, value]) => [
      key === 'orgnr_parent' ? ORGNR : key === 'hpr_number' ? HPR : key, value,
    ]));
  },
  ttl: {
    ClientCredentials: (ctx, token, client) => CLIENT_TTL[client.clientId],
  },
};

const provider = new Provider(issuer, configuration);
provider.use(async (ctx, next) => {
  process.stdout.write(`request ${ctx.method} ${ctx.path}\n`);
  await next();
});
provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
