import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { ApiProblem } from '../api/problem';
import { session } from '../api/session';
import { userApi, type Credentials } from '../api/user';
import { Field } from '../components/field';
import { PageTitle } from '../components/page-title';
import { useAction } from '../components/use-resource';
import { href } from '../routes';
import { navigate, safeNext } from '../router';
import { ActionForm } from '../components/action-form';

/** Login does not say the role; /users/me does, and the pages need it to show the operator's menu. */
async function remember(credentials: Credentials): Promise<void> {
  const response = await userApi.me(credentials.access_token).catch(() => undefined);
  const me = response?.ok ? ((await response.json()) as { role?: string }) : {};
  session.signIn({
    id: credentials.id,
    name: credentials.name,
    token: credentials.access_token,
    role: me.role === 'admin' ? 'admin' : 'user',
  });
}

export function SignInPage({ query }: PageProps) {
  const [loginId, setLoginId] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(query.get('next'), href('home'));
  const signIn = useAction(async () => {
    try {
      const answer = await userApi.signIn(loginId.trim(), password);
      await remember(answer.body);
      navigate(next, { replace: true });
    } catch (error) {
      // a wrong pair is a 401 like an expired session, but here it means "check what you typed"
      if (error instanceof ApiProblem && error.status === 401)
        throw new ApiProblem('invalid', 401, 'That login id and password do not match.');
      throw error;
    }
  });
  return (
    <section class="narrow">
      <PageTitle>Sign in</PageTitle>
      <ActionForm action={signIn} onSubmit={() => void signIn.run()} submit="Sign in" busy="Signing in…">
        <Field id="login-id" label="Login id" autoComplete="username" required value={loginId} onValue={setLoginId} />
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
      </ActionForm>
      <p>
        No account yet? <a href={href('signUp', {}, { next })}>Create one</a>.
      </p>
    </section>
  );
}

export function SignUpPage({ query }: PageProps) {
  const [name, setName] = useState('');
  const [loginId, setLoginId] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(query.get('next'), href('home'));
  const signUp = useAction(async () => {
    const answer = await userApi.signUp(name.trim(), loginId.trim(), password);
    await remember(answer.body);
    navigate(next, { replace: true });
  });
  return (
    <section class="narrow">
      <PageTitle>Create an account</PageTitle>
      <ActionForm action={signUp} onSubmit={() => void signUp.run()} submit="Create account" busy="Creating…">
        <Field
          id="name"
          label="Your name"
          autoComplete="name"
          required
          maxLength={100}
          value={name}
          onValue={setName}
        />
        <Field
          id="login-id"
          label="Login id"
          hint="What you will sign in with: 3 to 50 letters, digits, dots, dashes or underscores."
          autoComplete="username"
          required
          minLength={3}
          maxLength={50}
          pattern="[A-Za-z0-9._\-]{3,50}"
          value={loginId}
          onValue={setLoginId}
        />
        <Field
          id="password"
          label="Password"
          type="password"
          hint="At least 8 characters."
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={200}
          value={password}
          onValue={setPassword}
        />
      </ActionForm>
      <p>
        Already have one? <a href={href('signIn', {}, { next })}>Sign in</a>.
      </p>
    </section>
  );
}
