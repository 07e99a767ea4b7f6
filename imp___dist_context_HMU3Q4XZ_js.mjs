await import('/work/main/dist/context-HMU3Q4XZ.js');
