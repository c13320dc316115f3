import { isCorsOriginAllowed } from './cors-origins';

describe('isCorsOriginAllowed', () => {
  const local = ['http://localhost:*', 'http://[::1]:*', 'https://app.example.com'];

  it('allows a listed origin, and a listed host on any port where its port is *', () => {
    expect(isCorsOriginAllowed('https://app.example.com', local)).toBe(true);
    expect(isCorsOriginAllowed('HTTPS://App.Example.com', local)).toBe(true);
    expect(isCorsOriginAllowed('http://localhost:5173', local)).toBe(true);
    expect(isCorsOriginAllowed('http://localhost', local)).toBe(true);
    expect(isCorsOriginAllowed('http://[::1]:3000', local)).toBe(true);
  });

  it('refuses any other scheme, host, port or look-alike', () => {
    for (const origin of [
      'https://localhost:5173',
      'http://localhost.evil.example',
      'http://localhost:5173.evil.example',
      'https://app.example.com:8443',
      'https://app.example.com.evil.example',
      'http://app.example.com',
      'null',
    ]) {
      expect(isCorsOriginAllowed(origin, local)).toBe(false);
    }
    expect(isCorsOriginAllowed('https://app.example.com', [])).toBe(false);
  });

  it('allows every origin with *', () => {
    expect(isCorsOriginAllowed('https://anything.example', ['*'])).toBe(true);
  });
});
