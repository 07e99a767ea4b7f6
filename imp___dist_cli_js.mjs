await import('/work/main/dist/cli.js');
