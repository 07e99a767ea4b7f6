await import('better-sqlite3');
