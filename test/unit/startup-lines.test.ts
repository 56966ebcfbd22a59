// The one line a refused start prints (src/entry/startup-lines.ts), shared by the Node and Deno entries.
import { describe, expect, it } from 'vitest';
import { StartupRefused } from '../../src/entry/bootstrap.ts';
import { listenRefusal, startupFailureLine } from '../../src/entry/startup-lines.ts';

const withCode = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe('listenRefusal', () => {
  it('names the port, the host and the variable that fixes each listen failure', () => {
    expect(startupFailureLine(listenRefusal(withCode('EADDRINUSE'), 'PORT', '0.0.0.0', 8000))).toBe(
      'startup error: port 8000 is in use on 0.0.0.0; stop the other process or set PORT=<a free port>',
    );
    expect(startupFailureLine(listenRefusal(withCode('EADDRINUSE'), 'METRICS_PORT', '127.0.0.1', 9464))).toBe(
      'startup error: port 9464 is in use on 127.0.0.1; stop the other process or set METRICS_PORT=<a free port>',
    );
    expect(startupFailureLine(listenRefusal(withCode('EACCES'), 'PORT', '0.0.0.0', 80))).toBe(
      'startup error: not allowed to listen on port 80; set PORT to a port above 1023',
    );
    expect(startupFailureLine(listenRefusal(withCode('EADDRNOTAVAIL'), 'PORT', '10.9.9.9', 8000))).toBe(
      'startup error: 10.9.9.9 is not an address of this machine; set HOST=127.0.0.1 (or 0.0.0.0 in a container)',
    );
  });

  it('passes any other error on unchanged', () => {
    const other = withCode('EMFILE');
    expect(listenRefusal(other, 'PORT', '0.0.0.0', 8000)).toBe(other);
    expect(listenRefusal('not an error', 'PORT', '0.0.0.0', 8000)).toBe('not an error');
  });
});

describe('startupFailureLine', () => {
  it("prints a refusal's own message and masks secrets in anything unexpected", () => {
    expect(startupFailureLine(new StartupRefused('config error: PORT: not a number'))).toBe(
      'config error: PORT: not a number',
    );
    const line = startupFailureLine(new Error('connect failed: postgres://app:s3cretpw@db.internal/app'));
    expect(line).toMatch(/^startup error: connect failed: postgres:\/\/app:\*\*\*@db\.internal\/app$/);
    expect(line).not.toContain('s3cretpw');
  });
});
