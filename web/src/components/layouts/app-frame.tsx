import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Link, matchPath, NavLink, useLocation } from 'react-router';

import { Button } from '@/components/ui/button';
import { CloseIcon, LogOutIcon, LogoMark, MenuIcon } from '@/components/ui/icons';
import { env } from '@/config/env';

import styles from './app-frame.module.css';

export type NavEntry = {
  to: string;
  label: string;
  icon?: ReactNode;
  /** Match the path exactly (for `/`), not as a prefix. */
  end?: boolean;
  /** Route patterns (`/devices/:deviceId/inbox`) under which the entry is current, instead of `to`. */
  activeFor?: readonly string[];
};

export type AppFrameProps = {
  navEntries: readonly NavEntry[];
  userName: string;
  userEmail?: string;
  onLogOut: () => void;
  loggingOut?: boolean;
  children: ReactNode;
};

function initials(name: string) {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '');
  return letters.join('') || '?';
}

/**
 * The signed-in frame: a sidebar with the navigation and the account on wide screens; on a phone
 * a top bar whose menu button opens the same links (they would not fit in one row).
 */
export function AppFrame({
  navEntries,
  userName,
  userEmail,
  onLogOut,
  loggingOut = false,
  children,
}: AppFrameProps) {
  const [menuOpen, setMenuOpen] = useState(false);
  const panelId = useId();
  const menuButton = useRef<HTMLButtonElement>(null);
  const { pathname } = useLocation();

  // Going somewhere closes the menu (the screen it led to takes the space).
  const [shownPath, setShownPath] = useState(pathname);
  if (shownPath !== pathname) {
    setShownPath(pathname);
    setMenuOpen(false);
  }

  useEffect(() => {
    if (!menuOpen) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [menuOpen]);

  return (
    <div className={styles.frame}>
      <a className={styles.skipLink} href="#main">
        Skip to content
      </a>
      <header className={styles.sidebar}>
        <div className={styles.bar}>
          <Link to="/" className={styles.brand} aria-label={`${env.productName} home`}>
            <LogoMark />
            <span>{env.productName}</span>
          </Link>
          <button
            ref={menuButton}
            type="button"
            className={styles.menuButton}
            aria-expanded={menuOpen}
            aria-controls={panelId}
            onClick={() => setMenuOpen((open) => !open)}
          >
            {menuOpen ? <CloseIcon /> : <MenuIcon />}
            <span>Menu</span>
          </button>
        </div>
        <div id={panelId} className={[styles.panel, menuOpen ? styles.panelOpen : ''].join(' ')}>
          <nav className={styles.nav} aria-label="Main">
            <ul className={styles.navList}>
              {navEntries.map((entry) => (
                <li key={entry.to}>
                  <NavItem entry={entry} />
                </li>
              ))}
            </ul>
          </nav>
          <div className={styles.account}>
            <div className={styles.user}>
              <div className={styles.avatar} aria-hidden="true">
                {initials(userName)}
              </div>
              <div className={styles.who}>
                <p className={styles.name} title={userName}>
                  {userName}
                </p>
                {userEmail ? (
                  <p className={styles.email} title={userEmail}>
                    {userEmail}
                  </p>
                ) : null}
              </div>
            </div>
            <Button
              variant="ghost"
              size="small"
              className={styles.logOut}
              onClick={onLogOut}
              busy={loggingOut}
            >
              <LogOutIcon width={16} height={16} />
              Log out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className={styles.main}>
        <div className={styles.content}>{children}</div>
      </main>
    </div>
  );
}

function NavItem({ entry }: { entry: NavEntry }) {
  const { pathname } = useLocation();
  const content = (
    <>
      {entry.icon}
      <span>{entry.label}</span>
    </>
  );
  if (!entry.activeFor) {
    return (
      <NavLink to={entry.to} end={entry.end} className={styles.navLink}>
        {content}
      </NavLink>
    );
  }
  const active = entry.activeFor.some((path) => matchPath({ path, end: true }, pathname));
  return (
    <Link to={entry.to} className={styles.navLink} aria-current={active ? 'page' : undefined}>
      {content}
    </Link>
  );
}
