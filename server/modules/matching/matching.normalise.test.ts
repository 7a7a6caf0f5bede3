import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  foldToWords,
  ibanChecksumValid,
  maxSelectorLength,
  normaliseAddress,
  normaliseBankAccount,
  normaliseCountry,
  normaliseEmail,
  normaliseIdentityDocument,
  normaliseOnlineHandle,
  normaliseOrganisationName,
  normalisePersonName,
  normalisePhone,
  normaliseVehiclePlate,
  type Normalised,
} from './matching.normalise.js';

// Every name below is made up (random combinations of common words); none is a real person or company.

function value<T>(result: Normalised<T>): T {
  if (!result.ok) throw new Error(`expected a normalised value, got ${result.code}`);
  return result.value;
}

describe('person names', () => {
  it.each([
    ['Nguyễn Thị Hồng Nhung', 'hong nguyen nhung thi'],
    ['NGUYEN thi hong nhung', 'hong nguyen nhung thi'],
    ['Hồng Nhung Nguyễn Thị', 'hong nguyen nhung thi'],
    ['Đặng Văn Khải', 'dang khai van'],
    ['Ｎｇｕｙｅｎ　Ａｎ', 'an nguyen'],
    ['สมศักดิ์ ใจงาม', 'aichngam smsakdi'],
    ['សុខ ចាន់ធី', 'chanathei sokh'],
    ['عَبْد الرَّحِيم يُوسُف', 'bd lrhym ywsf'],
    ['عبد الرحيم يوسف', 'bd lrhym ywsf'],
    ['Абдурахим Юсупов', 'abdurakhim yusupov'],
    ['Ёлкина Дарья', 'darya elkina'],
    ['ተስፋዬ ገብረማርያም', 'gebremaryam tesfaye'],
    ['李小龙', 'li long xiao'],
    ['김민준', 'gim jun min'],
    ["O'Brien-Tamsin", 'obrien tamsin'],
    ['Straße Müller', 'muller strasse'],
  ])('%s → %s', (raw, key) => {
    expect(value(normalisePersonName(raw)).key).toBe(key);
  });

  it('transliterated Cyrillic meets its usual Latin spelling, word order aside', () => {
    expect(value(normalisePersonName('Юсупов Абдурахим')).key).toBe(
      value(normalisePersonName('Abdurakhim Yusupov')).key,
    );
  });

  it('gives phonetic keys that bring spellings of one sound together', () => {
    const a = value(normalisePersonName('Mohammed Karimi'));
    const b = value(normalisePersonName('Muhammad Karimy'));
    expect(a.key).not.toBe(b.key);
    expect(a.phonetic).toBe(b.phonetic);
    expect(value(normalisePersonName('Karimi Mohammed')).phonetic).toBe(a.phonetic);
  });

  it('refuses empty, over-long or letterless names with a code, never a throw', () => {
    expect(normalisePersonName('   ')).toEqual({ ok: false, code: 'empty' });
    expect(normalisePersonName('1234 5678')).toEqual({ ok: false, code: 'name_unreadable' });
    expect(normalisePersonName('a'.repeat(maxSelectorLength + 1))).toEqual({ ok: false, code: 'too_long' });
  });
});

describe('phones', () => {
  it.each([
    ['0912 345 678', 'VN', '+84912345678'],
    ['+84 912-345-678', undefined, '+84912345678'],
    ['0084912345678', undefined, '+84912345678'],
    ['０９１２３４５６７８', 'VN', '+84912345678'],
    ['081-234-5678', 'TH', '+66812345678'],
    ['012 345 678', 'KH', '+85512345678'],
    ['+855 12 345 678', undefined, '+85512345678'],
    ['8 912 345 67 89', 'RU', '+79123456789'],
    ['+7 (912) 345-67-89', 'VN', '+79123456789'],
    ['091 123 4567', 'ET', '+251911234567'],
  ])('%s (%s) → %s', (raw, country, e164) => {
    expect(normalisePhone(raw, country)).toEqual({ ok: true, value: e164 });
  });

  it.each([
    ['12', 'VN', 'phone_invalid'],
    ['abc', 'VN', 'phone_invalid'],
    ['0912345678', undefined, 'country_required'],
    ['0912345678', 'ZZ', 'country_invalid'],
    ['', 'VN', 'empty'],
  ])('%s (%s) is refused: %s', (raw, country, code) => {
    expect(normalisePhone(raw, country)).toEqual({ ok: false, code });
  });
});

describe('e-mail addresses', () => {
  it.each([
    ['  Ana.B+jobs@GMail.com ', 'anab@gmail.com'],
    ['anab@googlemail.com', 'anab@gmail.com'],
    ['hr+ads@outlook.com', 'hr@outlook.com'],
    ['first.last@outlook.com', 'first.last@outlook.com'],
    ['Ana.B+x@Example.org', 'ana.b+x@example.org'],
    ['mailto:user@bücher.de', 'user@xn--bcher-kva.de'],
  ])('%s → %s', (raw, canonical) => {
    expect(normaliseEmail(raw)).toEqual({ ok: true, value: canonical });
  });

  it.each(['bad@', '@example.org', 'a b@example.org', 'x@localhost', '+@gmail.com'])(
    '%s is refused',
    (raw) => {
      expect(normaliseEmail(raw)).toEqual({ ok: false, code: 'email_invalid' });
    },
  );
});

describe('identity documents, bank accounts, plates', () => {
  it('documents carry their issuing country and only upper-case alphanumerics', () => {
    expect(normaliseIdentityDocument('c 123-4567', 'vn')).toEqual({ ok: true, value: 'VN:C1234567' });
    expect(normaliseIdentityDocument('С1234567', 'VN')).toEqual({ ok: true, value: 'VN:S1234567' });
    expect(normaliseIdentityDocument('ab12', 'XX')).toEqual({ ok: false, code: 'country_invalid' });
    expect(normaliseIdentityDocument('12', 'TH')).toEqual({ ok: false, code: 'document_invalid' });
  });

  it('IBANs pass mod-97; other accounts need a country', () => {
    expect(normaliseBankAccount('DE89 3704 0044 0532 0130 00')).toEqual({
      ok: true,
      value: 'IBAN:DE89370400440532013000',
    });
    expect(normaliseBankAccount('gb82 west 1234 5698 7654 32')).toEqual({
      ok: true,
      value: 'IBAN:GB82WEST12345698765432',
    });
    expect(normaliseBankAccount('DE89370400440532013001')).toEqual({ ok: false, code: 'iban_checksum' });
    expect(normaliseBankAccount('DE89 37')).toEqual({ ok: false, code: 'iban_invalid' });
    expect(normaliseBankAccount('123-456-7890', 'TH')).toEqual({ ok: true, value: 'TH:1234567890' });
    expect(normaliseBankAccount('1234567890')).toEqual({ ok: false, code: 'country_required' });
  });

  it('mod-97 fails on every single-digit change of a valid IBAN (property)', () => {
    const iban = 'DE89370400440532013000';
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: iban.length - 1 }),
        fc.integer({ min: 1, max: 9 }),
        (at, delta) => {
          const digit = (Number(iban[at]) + delta) % 10;
          expect(ibanChecksumValid(iban.slice(0, at) + digit + iban.slice(at + 1))).toBe(false);
        },
      ),
    );
  });

  it('plates read Cyrillic look-alike letters as Latin ones', () => {
    expect(normaliseVehiclePlate('Х 123 АВ 77', 'RU')).toEqual({ ok: true, value: 'RU:X123AB77' });
    expect(normaliseVehiclePlate('x123ab77', 'ru')).toEqual({ ok: true, value: 'RU:X123AB77' });
    expect(normaliseVehiclePlate('51F-123.45', 'VN')).toEqual({ ok: true, value: 'VN:51F12345' });
    expect(normaliseVehiclePlate('-', 'VN')).toEqual({ ok: false, code: 'plate_invalid' });
  });
});

describe('organisation names', () => {
  it.each([
    ['Siam Labour Co., Ltd.', 'siam labour'],
    ['บริษัท สยามแรงงาน จำกัด', 'syamaerngngan'],
    ['PT Maju Jaya Tbk', 'maju jaya'],
    ['Công ty TNHH Sao Mai', 'sao mai'],
    ['ООО «Ромашка»', 'romashka'],
    ['Golden Bridge Sdn. Bhd.', 'golden bridge'],
    ['Al Noor Recruitment LLC', 'al noor recruitment'],
    ['金桥有限公司', 'jin qiao'],
    ['Smith & Sons Pvt. Ltd.', 'smith and sons'],
  ])('%s → %s', (raw, canonical) => {
    expect(normaliseOrganisationName(raw)).toEqual({ ok: true, value: canonical });
  });

  it('keeps word order and refuses a name made only of legal forms', () => {
    expect(value(normaliseOrganisationName('Jaya Maju'))).not.toBe(
      value(normaliseOrganisationName('Maju Jaya')),
    );
    expect(normaliseOrganisationName('Co., Ltd.')).toEqual({
      ok: false,
      code: 'organisation_only_legal_form',
    });
  });
});

describe('websites and handles', () => {
  it.each([
    ['@Some.Handle', 'telegram', 'telegram:some.handle'],
    ['https://t.me/Some_Handle', undefined, 'telegram:some_handle'],
    ['https://www.facebook.com/jobs.abroad.page/', undefined, 'facebook:jobs.abroad.page'],
    ['instagram.com/@Recruit_VN', undefined, 'instagram:recruit_vn'],
    ['https://www.linkedin.com/in/some-person', undefined, 'linkedin:some-person'],
    ['www.Example.ORG/jobs?x=1', undefined, 'web:example.org'],
    ['someone', 'twitter', 'x:someone'],
  ])('%s (%s) → %s', (raw, platform, canonical) => {
    expect(normaliseOnlineHandle(raw, platform)).toEqual({ ok: true, value: canonical });
  });

  it('needs a known platform for a bare handle', () => {
    expect(normaliseOnlineHandle('someone')).toEqual({ ok: false, code: 'platform_invalid' });
    expect(normaliseOnlineHandle('someone', 'myspace')).toEqual({ ok: false, code: 'platform_invalid' });
    expect(normaliseOnlineHandle('some one', 'telegram')).toEqual({ ok: false, code: 'handle_invalid' });
    expect(normaliseOnlineHandle('ftp://example.org')).toEqual({ ok: false, code: 'handle_invalid' });
  });
});

describe('addresses', () => {
  it('are folded coarsely with their country', () => {
    expect(normaliseAddress('12 St. 21, Phnom Penh', 'KH')).toEqual({
      ok: true,
      value: 'KH:12 street 21 phnom penh',
    });
    expect(normaliseAddress('Ул. Ленина, д. 5, кв. 7', 'RU')).toEqual({
      ok: true,
      value: 'RU:ulitsa lenina dom 5 kvartira 7',
    });
    expect(normaliseAddress('x', 'KH')).toEqual({ ok: false, code: 'address_invalid' });
  });
});

describe('countries', () => {
  it('accept ISO codes and refuse user-assigned ones', () => {
    expect(normaliseCountry(' vn ')).toEqual({ ok: true, value: 'VN' });
    for (const code of ['XX', 'ZZ', 'EU', 'V', 'VNM', '12']) expect(normaliseCountry(code).ok).toBe(false);
  });
});

describe('normalisation is idempotent and total (property)', () => {
  // Letters from the scripts the field meets, plus marks, punctuation, digits and compatibility forms.
  const alphabet = [
    ...'aAeEiIoOuU Ạạăâđêôơưỹ',
    ...'กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอะาำิีึืุู่้๊๋็์',
    ...'កខគងចឆជញដឋណតថទធនបផពភមយរលវសហឡអាិីឹឺុូួើឿៀេែៃោៅំះ់៉៊',
    ...'ابتثجحخدذرزسشصضطظعغفقكلمنهويءَُِّْـ',
    ...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁ',
    ...'ሀለሐመሠረሰሸቀበተቸኀነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐ',
    ...'王李张小明龙김민준',
    ...".,-'&@+()/0123456789ＡＢ１２　ﬁ",
  ];
  const text = fc
    .array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: 40 })
    .map((chars) => chars.join(''));
  const twice = <T>(first: Normalised<T>, again: (value: T) => Normalised<T>): void => {
    if (first.ok) expect(again(first.value)).toEqual(first);
  };

  it('person names: normalising the key again gives the same key', () => {
    fc.assert(
      fc.property(text, (raw) => {
        const first = normalisePersonName(raw);
        if (first.ok) expect(value(normalisePersonName(first.value.key)).key).toBe(first.value.key);
        expect(foldToWords(foldToWords(raw).join(' '))).toEqual(foldToWords(raw));
      }),
      { numRuns: 500 },
    );
  });

  it('organisations, e-mails, documents, accounts, plates, handles and addresses', () => {
    fc.assert(
      fc.property(text, (raw) => {
        twice(normaliseOrganisationName(raw), (v) => normaliseOrganisationName(v));
        twice(normaliseEmail(`${raw}@example.org`), (v) => normaliseEmail(v));
        twice(normaliseIdentityDocument(raw, 'KH'), (v) => normaliseIdentityDocument(v.slice(3), 'KH'));
        twice(normaliseBankAccount(raw, 'TH'), (v) =>
          normaliseBankAccount(v.replace(/^(IBAN|TH):/, ''), 'TH'),
        );
        twice(normaliseVehiclePlate(raw, 'RU'), (v) => normaliseVehiclePlate(v.slice(3), 'RU'));
        twice(normaliseOnlineHandle(raw, 'telegram'), (v) =>
          normaliseOnlineHandle(v.slice('telegram:'.length), 'telegram'),
        );
        twice(normaliseAddress(raw, 'VN'), (v) => normaliseAddress(v.slice(3), 'VN'));
      }),
      { numRuns: 500 },
    );
  });

  it('phones: E.164 output normalises to itself', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9 ()+-]{0,20}$/),
        fc.constantFrom('VN', 'TH', 'KH', 'RU', 'ET', 'SA'),
        (raw, country) => {
          twice(normalisePhone(raw, country), (v) => normalisePhone(v));
        },
      ),
      { numRuns: 500 },
    );
  });
});
