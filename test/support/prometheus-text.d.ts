// Types for parse-prometheus-text-format (the package ships none); only validation is used.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): { name: string; type: string }[];
}
