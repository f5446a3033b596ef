/** The Kubernetes AdmissionReview v1 wire format: bounded, defensive parsing and the response. */
export { admissionReviewResponse, MAX_REVIEW_BYTES, parseAdmissionReview } from './review.js';
export type { AdmissionRequest, AdmissionResponse } from './review.js';
