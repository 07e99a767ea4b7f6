await import('chalk');
