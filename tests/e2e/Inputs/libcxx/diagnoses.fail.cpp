int x = also_not_declared; // expected-error {{use of undeclared identifier 'also_not_declared'}}
