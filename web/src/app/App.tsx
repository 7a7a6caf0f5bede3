import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { Providers } from './Providers';
import { createAppRouter } from './router';

/** The whole web application. */
export function App() {
  const [router] = useState(createAppRouter);
  return (
    <Providers>
      <RouterProvider router={router} />
    </Providers>
  );
}
