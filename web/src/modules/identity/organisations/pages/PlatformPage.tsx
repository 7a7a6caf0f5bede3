import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../../api/client';
import {
  Button,
  Form,
  Loading,
  PageHeading,
  Table,
  TextField,
  useToast,
  type TableColumn,
} from '../../../../ui';
import { RequireSignIn } from '../../auth/RequireSignIn';
import { StepUpCancelledError, useStepUp } from '../../auth/useStepUp';
import { orgKeys, type IdentitySettings, type Organisation, type RequiredFactor } from '../api';
import { StatusBadge, TierBadge } from '../components/badges';
import { RadioGroupField, SelectField } from '../components/fields';
import { EmptyState, LoadError } from '../components/notices';
import { COUNTRY_CODES, countryName, sortCodesByName } from '../countries';
import { textOf } from '../form-data';
import { useFormat } from '../format';
import {
  required,
  useFormMutation,
  useIdentitySettings,
  useOrganisationList,
  type OrganisationFilters,
} from '../queries';
import { ORGANISATION_TYPES, REQUIRED_FACTORS, STATUSES, isOneOf } from '../vocabulary';
import '../organisations.css';

/** Reads the list's filters from the address, ignoring anything that is not a known value. */
function filtersFrom(params: URLSearchParams): OrganisationFilters {
  const status = params.get('status');
  const type = params.get('type');
  const country = params.get('country');
  const q = params.get('q')?.trim();
  return {
    q: q ? q.slice(0, 100) : undefined,
    status: isOneOf(STATUSES, status) ? status : undefined,
    type: isOneOf(ORGANISATION_TYPES, type) ? type : undefined,
    country: isOneOf(COUNTRY_CODES, country) ? country : undefined,
  };
}

/** Platform administration: every organisation, with filters, and the platform's sign-in setting. */
export function PlatformPage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <PageHeading>{t('orgs.platform.title')}</PageHeading>
      <RequireSignIn>
        <OrganisationList />
        <RequiredFactorSetting />
      </RequireSignIn>
    </div>
  );
}

function OrganisationList() {
  const { t } = useTranslation();
  const format = useFormat();
  // Filters live in the address, so a filtered list can be bookmarked, shared and returned to with Back.
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const list = useOrganisationList(filters);
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.values(filters).some((value) => value !== undefined);

  const countryOptions = useMemo(
    () =>
      sortCodesByName(COUNTRY_CODES, format.language).map((code) => ({
        value: code,
        label: countryName(code, format.language),
      })),
    [format.language],
  );

  const onFilter = (data: FormData) => {
    const next = new URLSearchParams();
    for (const name of ['q', 'status', 'type', 'country']) {
      const value = textOf(data, name);
      if (value) next.set(name, value);
    }
    setParams(next, { replace: true });
  };

  const columns: TableColumn<Organisation>[] = [
    {
      key: 'name',
      header: t('orgs.fields.organisation'),
      isRowHeader: true,
      cell: (org) => <Link to={`/organisations/${org.id}`}>{org.name}</Link>,
    },
    { key: 'type', header: t('orgs.fields.type'), cell: (org) => t(`orgs.types.${org.type}`) },
    { key: 'status', header: t('orgs.fields.status'), cell: (org) => <StatusBadge status={org.status} /> },
    {
      key: 'tier',
      header: t('orgs.fields.tier'),
      cell: (org) => <TierBadge tier={org.tier} expired={org.tierExpired} />,
    },
    { key: 'countries', header: t('orgs.fields.countries'), cell: (org) => format.countries(org.countries) },
    { key: 'created', header: t('orgs.fields.submitted'), cell: (org) => format.date(org.createdAt) },
  ];

  return (
    <section aria-labelledby="platform-organisations" className="orgs-block">
      <h2 id="platform-organisations">{t('orgs.platform.organisations')}</h2>
      {/* Re-mounted when the address changes, so Back and "clear" show the filters actually applied. */}
      <Form
        key={params.toString()}
        onSubmit={onFilter}
        className="orgs-filters"
        role="search"
        aria-label={t('orgs.platform.filtersLabel')}
      >
        <TextField
          name="q"
          label={t('orgs.platform.search')}
          type="search"
          defaultValue={filters.q ?? ''}
          maxLength={100}
        />
        <SelectField
          name="status"
          label={t('orgs.fields.status')}
          options={STATUSES.map((status) => ({ value: status, label: t(`orgs.statuses.${status}`) }))}
          placeholder={t('orgs.platform.any')}
          defaultValue={filters.status ?? ''}
        />
        <SelectField
          name="type"
          label={t('orgs.fields.type')}
          options={ORGANISATION_TYPES.map((type) => ({ value: type, label: t(`orgs.types.${type}`) }))}
          placeholder={t('orgs.platform.any')}
          defaultValue={filters.type ?? ''}
        />
        <SelectField
          name="country"
          label={t('orgs.platform.country')}
          options={countryOptions}
          placeholder={t('orgs.platform.any')}
          defaultValue={filters.country ?? ''}
        />
        <div className="actions orgs-filters__actions">
          <Button type="submit">{t('orgs.platform.filter')}</Button>
          {filtered && (
            <Link to="?" replace>
              {t('orgs.platform.clear')}
            </Link>
          )}
        </div>
      </Form>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState>
          <p>{t(filtered ? 'orgs.platform.noMatch' : 'orgs.platform.none')}</p>
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t('orgs.platform.caption')}
            columns={columns}
            rows={rows}
            rowKey={(org) => org.id}
          />
          {list.hasNextPage && (
            <Button
              variant="secondary"
              busy={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {t('orgs.list.more')}
            </Button>
          )}
        </>
      )}
    </section>
  );
}

function RequiredFactorSetting() {
  const { t } = useTranslation();
  const settings = useIdentitySettings();
  return (
    <section aria-labelledby="platform-factor" className="orgs-block">
      <h2 id="platform-factor">{t('orgs.platform.factor.title')}</h2>
      <p>{t('orgs.platform.factor.intro')}</p>
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <LoadError error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <RequiredFactorForm settings={settings.data} />
      )}
    </section>
  );
}

function RequiredFactorForm({ settings }: { settings: IdentitySettings }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  // SECURITY: the server asks for a fresh passkey check before this setting changes; the step-up helper
  // asks the person for it and then repeats the request.
  const stepUp = useStepUp();
  const save = useFormMutation(
    async (requiredFactor: RequiredFactor) => {
      try {
        return await stepUp.guard(() =>
          required(api.PUT('/api/identity/settings', { body: { requiredFactor } })),
        );
      } catch (error) {
        // Declining the passkey check is a choice, not a failure: nothing changed and nothing to report.
        if (error instanceof StepUpCancelledError) return null;
        throw error;
      }
    },
    {
      fields: ['requiredFactor'],
      byCode: { step_up_required: t('orgs.platform.factor.stepUp') },
      onSuccess: (updated) => {
        if (!updated) return;
        queryClient.setQueryData(orgKeys.settings, updated);
        toast.show(t('orgs.platform.factor.saved'), { tone: 'success' });
      },
    },
  );
  const onSubmit = (data: FormData) => {
    const value = textOf(data, 'requiredFactor');
    if (isOneOf(REQUIRED_FACTORS, value)) save.mutate(value);
  };
  return (
    <>
      {/* The server decides when a warning is due; the page only words it. */}
      {settings.warning && (
        <div className="notice orgs-notice--warning" role="status">
          <p>{t('orgs.platform.factor.totpWarning')}</p>
        </div>
      )}
      <Form
        key={settings.requiredFactor}
        errors={save.errors.fieldErrors}
        formError={save.errors.formError}
        onSubmit={onSubmit}
      >
        <RadioGroupField
          name="requiredFactor"
          legend={t('orgs.platform.factor.legend')}
          options={REQUIRED_FACTORS.map((factor) => ({
            value: factor,
            label: t(`orgs.platform.factor.options.${factor}.label`),
            description: t(`orgs.platform.factor.options.${factor}.description`),
          }))}
          defaultValue={settings.requiredFactor}
        />
        <Button type="submit" busy={save.isPending}>
          {t('orgs.platform.factor.save')}
        </Button>
      </Form>
      {stepUp.dialog}
    </>
  );
}
