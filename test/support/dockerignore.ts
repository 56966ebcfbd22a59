// A small reader for .dockerignore with Docker's matching rules: patterns are relative to the context root,
// `*` and `?` stay within one path segment, `**` spans segments, a match on a folder excludes what is inside,
// `!` re-includes, and the last matching pattern wins.
export interface DockerIgnore {
  isExcluded(path: string): boolean;
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function parseDockerIgnore(text: string): DockerIgnore {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, regex: globToRegExp(pattern) };
    });
  return {
    isExcluded(path: string) {
      const clean = path.replace(/^\.\//, '').replace(/\/+$/, '');
      const segments = clean.split('/');
      // The path itself or any parent folder can match.
      const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
      let excluded = false;
      for (const rule of rules) {
        if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = !rule.negated;
      }
      return excluded;
    },
  };
}
