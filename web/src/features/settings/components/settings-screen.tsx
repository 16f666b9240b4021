import { Page } from '@/components/layouts/page';
import { ErrorMessage } from '@/components/ui/error-message';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/errors';

import { useSettings } from '../api/settings';
import { ApiTokensCard } from './api-tokens-card';
import { ProfileCard } from './profile-card';
import { SecurityCard } from './security-card';

export function SettingsScreen() {
  const [{ data, error }] = useSettings();

  return (
    <Page
      title="Settings"
      description="Your profile, your password and sessions, and the tokens that give access to the API."
    >
      {data ? (
        <>
          <ProfileCard user={data.me} countries={data.phoneCountries} />
          <SecurityCard />
          <ApiTokensCard tokens={data.me.apiTokens} timeZone={data.me.timeZone} />
        </>
      ) : error ? (
        <ErrorMessage message={errorMessage(error)} />
      ) : (
        <Spinner />
      )}
    </Page>
  );
}
