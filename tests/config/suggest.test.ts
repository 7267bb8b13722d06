import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../machine/config/suggest.js';

const DEVICE_KEYS = ['impl', 'placement', 'on_crash', 'ports', 'adapter', 'options'];

describe('did-you-mean', () => {
  it('measures edits, a swap of two letters counting as one', () => {
    expect(editDistance('ports', 'ports')).toBe(0);
    expect(editDistance('prots', 'ports')).toBe(1);
    expect(editDistance('port', 'ports')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest key within reach', () => {
    expect(closest('prots', DEVICE_KEYS)).toBe('ports');
    expect(closest('on-crash', DEVICE_KEYS)).toBe('on_crash');
    expect(closest('placment', DEVICE_KEYS)).toBe('placement');
    expect(closest('Impl', DEVICE_KEYS)).toBe('impl');
    expect(closest('colour', DEVICE_KEYS)).toBeUndefined();
  });

  it('is stricter with short words', () => {
    expect(closest('io', ['elcr', 'io2'])).toBe('io2');
    expect(closest('xy', ['io'])).toBeUndefined();
    expect(closest('ir9', ['ir0', 'int'])).toBe('ir0');
  });

  it('phrases the suggestion', () => {
    expect(didYouMean('prots', DEVICE_KEYS)).toBe('Did you mean "ports"? ');
    expect(didYouMean('zzz', DEVICE_KEYS)).toBe('');
  });
});
