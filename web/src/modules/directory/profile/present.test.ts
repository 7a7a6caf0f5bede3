import { describe, expect, it } from 'vitest';
import { hotlineHref, languageName, orderDescriptions, phoneDigits, safeWebAddress } from './present';

describe('orderDescriptions', () => {
  const d = (language: string) => ({ language, short: language, long: '' });

  it('puts the reader’s language first, then English, then the rest in the organisation’s order', () => {
    const list = [d('sw'), d('fr'), d('en'), d('ar')];
    expect(orderDescriptions(list, 'ar').map((x) => x.language)).toEqual(['ar', 'en', 'sw', 'fr']);
    expect(orderDescriptions(list, 'es').map((x) => x.language)).toEqual(['en', 'sw', 'fr', 'ar']);
    expect(orderDescriptions([], 'en')).toEqual([]);
  });
});

describe('languageName', () => {
  it('names languages in the reader’s language', () => {
    expect(languageName('sw', 'en')).toBe('Swahili');
    expect(languageName('fr', 'es')).toBe('francés');
    expect(languageName('en', 'ar')).toBe('الإنجليزية');
  });
});

describe('phoneDigits', () => {
  it('keeps digits and a leading plus, and refuses what is not a number', () => {
    expect(phoneDigits('+254 (0)700-000.000')).toBe('+2540700000000');
    expect(phoneDigits('1195')).toBe('1195');
    expect(phoneDigits('call us')).toBeNull();
    expect(phoneDigits('12')).toBeNull();
    expect(phoneDigits('+1234567890123456')).toBeNull();
  });
});

describe('safeWebAddress', () => {
  it('links http(s) addresses only', () => {
    expect(safeWebAddress('https://example.org/help')).toBe('https://example.org/help');
    expect(safeWebAddress('javascript:alert(1)')).toBeNull();
    expect(safeWebAddress('data:text/html,hi')).toBeNull();
    expect(safeWebAddress('example.org')).toBeNull();
  });
});

describe('hotlineHref', () => {
  it('calls and texts phone numbers', () => {
    expect(hotlineHref('phone', '+254 700 000 000')).toBe('tel:+254700000000');
    expect(hotlineHref('phone', '1195')).toBe('tel:1195');
    expect(hotlineHref('sms', '+66 2 123 4567')).toBe('sms:+6621234567');
    expect(hotlineHref('phone', 'ask at reception')).toBeNull();
  });

  it('opens WhatsApp and Signal only for international numbers', () => {
    expect(hotlineHref('whatsapp', '+254 700 000 000')).toBe('https://wa.me/254700000000');
    expect(hotlineHref('whatsapp', '0700 000 000')).toBeNull();
    expect(hotlineHref('signal', '+254700000000')).toBe('https://signal.me/#p/+254700000000');
  });

  it('links Telegram handles, chat pages and email addresses', () => {
    expect(hotlineHref('telegram', '@safe_help')).toBe('https://t.me/safe_help');
    expect(hotlineHref('telegram', 'https://t.me/safe_help')).toBe('https://t.me/safe_help');
    expect(hotlineHref('telegram', 'https://evil.example/t.me')).toBeNull();
    expect(hotlineHref('chat', 'https://help.example.org/chat')).toBe('https://help.example.org/chat');
    expect(hotlineHref('chat', 'javascript:alert(1)')).toBeNull();
    expect(hotlineHref('email', 'help@example.org')).toBe('mailto:help@example.org');
    expect(hotlineHref('email', 'help@example.org?bcc=x@y.z')).toBeNull();
    expect(hotlineHref('email', 'help@example.org?subject=hi')).toBeNull();
  });
});
