// The design system's public surface; it knows nothing about pages or feature modules.
export { Button, type ButtonProps, type ButtonVariant } from './Button';
export { ColumnMapping, mappingParam, type ColumnMappingProps, type MappedColumn } from './ColumnMapping';
export { Dialog, type DialogProps } from './Dialog';
export { ErrorSummary, type ErrorSummaryItem, type ErrorSummaryProps } from './ErrorSummary';
export { Form, FormContext, type FormContextValue, type FormFieldErrors, type FormProps } from './Form';
export { PageHeading, PageHeadingContext, type PageHeadingSettings } from './PageHeading';
export { Loading, Spinner } from './Spinner';
export {
  ImportProgress,
  ImportReport,
  ProblemNotice,
  SpreadsheetFileField,
  SpreadsheetUploadActions,
  useSpreadsheetUpload,
  type ImportReportIssue,
  type ImportReportProps,
  type SpreadsheetFileFieldProps,
  type SpreadsheetUpload,
  type SpreadsheetUploadActionsProps,
  type SpreadsheetUploadOptions,
  type SpreadsheetUploadState,
} from './SpreadsheetImport';
export { saveFile } from './saveFile';
export { Table, type TableColumn, type TableProps } from './Table';
export { TextField, type TextFieldProps } from './TextField';
export { ToastProvider, useToast, type ToastApi, type ToastOptions, type ToastTone } from './Toast';
export { VisuallyHidden } from './VisuallyHidden';
