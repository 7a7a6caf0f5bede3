import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { initI18n } from './i18n/i18n';
import './styles/base.css';
import './styles/frame.css';
import './ui/ui.css';

function render(): void {
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element');
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// Rendering waits for the reader's language so the first paint is already translated. If translations
// fail to load, render anyway: i18next falls back to the keys rather than leaving a blank page.
initI18n()
  .catch((error: unknown) => console.error('Could not load translations', error))
  .finally(render);
