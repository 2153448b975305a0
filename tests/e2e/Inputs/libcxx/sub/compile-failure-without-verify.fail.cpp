int x = not_declared;
