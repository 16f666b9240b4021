import { useMemo, useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorMessage } from '@/components/ui/error-message';
import { SelectField, TextField } from '@/components/ui/field';
import { graphql, getFragmentData, type FragmentType } from '@/gql';
import { errorMessage } from '@/lib/errors';
import { formText } from '@/lib/form-data';
import { countryChoices, timeZones } from '@/lib/format';

import { useUpdateMe } from '../api/update-me';
import styles from './settings.module.css';

export const ProfileFieldsFragment = graphql(`
  fragment ProfileFields on User {
    id
    email
    fullName
    timeZone
    defaultCountry
  }
`);

export type ProfileCardProps = {
  user: FragmentType<typeof ProfileFieldsFragment>;
  /** The countries phone numbers can belong to, with their calling codes. */
  countries: readonly { code: string; callingCode: number }[];
};

export function ProfileCard(props: ProfileCardProps) {
  const user = getFragmentData(ProfileFieldsFragment, props.user);
  const [{ fetching, error }, updateMe] = useUpdateMe();
  const [saved, setSaved] = useState(false);
  const zones = useMemo(() => timeZones(user.timeZone), [user.timeZone]);
  const countryOptions = useMemo(() => countryChoices(props.countries), [props.countries]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    const data = new FormData(event.currentTarget);
    const result = await updateMe({
      input: {
        fullName: formText(data, 'fullName').trim(),
        timeZone: formText(data, 'timeZone'),
        defaultCountry: formText(data, 'defaultCountry') || null,
      },
    });
    if (result.data) setSaved(true);
  };

  return (
    <Card
      title="Profile"
      description="Your name, the time zone dates are shown in, and the country phone numbers without a country code belong to."
    >
      {/* Remount with fresh defaults whenever the saved profile changes. */}
      <form
        key={`${user.fullName}\u0000${user.timeZone}\u0000${user.defaultCountry ?? ''}`}
        className={styles.form}
        onSubmit={(event) => void onSubmit(event)}
        onChange={() => setSaved(false)}
      >
        <p className={styles.email}>
          Signed in as <strong>{user.email}</strong>
        </p>
        <TextField
          label="Full name"
          name="fullName"
          autoComplete="name"
          defaultValue={user.fullName}
          required
        />
        <SelectField
          label="Time zone"
          name="timeZone"
          options={zones}
          defaultValue={user.timeZone}
        />
        <SelectField
          label="Country for phone numbers"
          name="defaultCountry"
          hint="Numbers typed or imported without a country code, like 012-345 6789, are read as numbers of this country."
          options={countryOptions}
          defaultValue={user.defaultCountry ?? ''}
        />
        <div className={styles.formFooter}>
          <Button type="submit" busy={fetching}>
            Save changes
          </Button>
          {saved ? (
            <p className={styles.saved} role="status">
              Saved.
            </p>
          ) : null}
        </div>
        <ErrorMessage className={styles.fullRow} message={errorMessage(error)} />
      </form>
    </Card>
  );
}
