int x = not_declared; // expected-error {{use of undeclared identifier 'not_declared'}}
