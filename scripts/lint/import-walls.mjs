// The ESLint rule behind the repository's walls (eslint.config.mjs holds the walls themselves).
//
// Why a rule of our own rather than no-restricted-imports, eslint-plugin-import-x's no-restricted-paths
// or eslint-plugin-boundaries: no-restricted-imports sees only the text of a specifier, so it cannot tell
// a web feature's own `../api/` folder from `apps/api`, and it skips import() and require(); the two
// plugins decide on the file a resolver finds, and an import that does not resolve passes unseen (under
// pnpm, `@onbehalf/crm-auth` does not resolve from the emulator, which does not depend on it: exactly the
// import the wall is for). This rule resolves lexically, without the file system: a relative specifier
// against the importing file, the `@/` alias by its table, any other specifier as a package name.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

const toPosix = (p) => p.split(sep).join('/');

/** 'react', '@nestjs/*', 'pg-*': `*` stands for any run of characters but `/`. */
function globToRegExp(glob) {
  const body = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${body}$`);
}

/** The package a bare specifier names: '@scope/name' or 'name', without a sub-path. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Whether `path` (segments) lies in the folder `pattern` (segments). In `from`, a `*` segment matches one
 * folder and captures its name; in a forbidden path, a `*` segment matches any folder but the captured
 * one ("another feature"). A segment with a `*` inside it ('*.entity') matches the names it spells.
 */
function within(path, pattern, captured) {
  if (path.length < pattern.length) return null;
  let capture = captured;
  for (let i = 0; i < pattern.length; i += 1) {
    if (pattern[i] === '*') {
      if (captured === undefined) capture = path[i];
      else if (path[i] === captured) return null;
    } else if (pattern[i].includes('*')) {
      if (!globToRegExp(pattern[i]).test(path[i])) return null;
    } else if (pattern[i] !== path[i]) return null;
  }
  return { capture };
}

const segments = (p) => p.split('/').filter(Boolean);

/** @type {import('eslint').Rule.RuleModule} */
export const importWalls = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Forbids imports that cross one of the repository walls (packages, apps, web features, API contexts)',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['root', 'walls'],
        properties: {
          root: { type: 'string' },
          aliases: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['in', 'prefix', 'to'],
              properties: { in: { type: 'string' }, prefix: { type: 'string' }, to: { type: 'string' } },
            },
          },
          walls: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['from', 'reason'],
              properties: {
                from: { type: 'string' },
                packages: { type: 'array', items: { type: 'string' } },
                paths: { type: 'array', items: { type: 'string' } },
                reason: { type: 'string' },
                // Crossings that stand for now (an allow-list that may only shrink): a file under `from`
                // may import what lies under `paths`, and `why` says why it still does.
                except: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['from', 'paths', 'why'],
                    properties: {
                      from: { type: 'string' },
                      paths: { type: 'array', items: { type: 'string' } },
                      why: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
    messages: {
      crossed: "'{{specifier}}' crosses a wall: {{reason}}",
    },
  },
  create(context) {
    const { root, aliases = [], walls } = context.options[0];
    const file = toPosix(relative(root, context.physicalFilename));
    if (file.startsWith('../') || isAbsolute(file)) return {};
    const fileSegments = segments(file);
    const applying = walls
      .map((wall) => ({ wall, at: within(fileSegments, segments(wall.from), undefined) }))
      .filter((w) => w.at !== null);
    if (applying.length === 0) return {};
    const alias = aliases.find((a) => within(fileSegments, segments(a.in), undefined));

    /** Where a specifier points, as a repository path ('apps/api/src/x'), or null for a package. */
    function target(specifier) {
      if (specifier.startsWith('.')) return toPosix(relative(root, resolve(root, dirname(file), specifier)));
      if (isAbsolute(specifier)) return toPosix(relative(root, specifier));
      if (alias && specifier.startsWith(alias.prefix))
        return `${alias.to}/${specifier.slice(alias.prefix.length)}`;
      return null;
    }

    function check(node, specifier) {
      if (typeof specifier !== 'string' || specifier.startsWith('node:')) return;
      const path = target(specifier);
      for (const { wall, at } of applying) {
        const hit =
          path === null
            ? (wall.packages ?? []).some((p) => globToRegExp(p).test(packageName(specifier)))
            : (wall.paths ?? []).some((p) => within(segments(path), segments(p), at.capture) !== null);
        const excepted =
          path !== null &&
          (wall.except ?? []).some(
            (e) =>
              within(fileSegments, segments(e.from), undefined) !== null &&
              e.paths.some((p) => within(segments(path), segments(p), undefined) !== null),
          );
        if (hit && !excepted) {
          context.report({ node, messageId: 'crossed', data: { specifier, reason: wall.reason } });
          return;
        }
      }
    }

    const literal = (node) => {
      if (node?.type === 'Literal') return node.value;
      if (node?.type === 'TemplateLiteral' && node.expressions.length === 0)
        return node.quasis[0].value.cooked;
      return undefined;
    };
    const fromSource = (node) => node.source && check(node.source, literal(node.source));
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: fromSource,
      CallExpression(node) {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments.length > 0
        ) {
          check(node.arguments[0], literal(node.arguments[0]));
        }
      },
      TSExternalModuleReference: (node) => check(node.expression, literal(node.expression)),
      TSImportType: (node) => {
        const source = node.source ?? node.argument?.literal;
        if (source) check(source, literal(source));
      },
    };
  },
};

export default { meta: { name: 'onbehalf-walls' }, rules: { 'import-walls': importWalls } };
