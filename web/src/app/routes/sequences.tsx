import { useParams } from 'react-router';

import { SequenceDetailScreen } from '@/features/sequences/components/sequence-detail-screen';
import { SequenceEditorScreen } from '@/features/sequences/components/sequence-editor-screen';
import { SequencesScreen } from '@/features/sequences/components/sequences-screen';

export function SequencesRoute() {
  return <SequencesScreen />;
}

export function NewSequenceRoute() {
  return <SequenceEditorScreen sequenceId={null} />;
}

export function SequenceRoute() {
  const { sequenceId = '' } = useParams();
  // A new page per sequence: nothing of the previous one's state carries over.
  return <SequenceDetailScreen key={sequenceId} sequenceId={sequenceId} />;
}

export function EditSequenceRoute() {
  const { sequenceId = '' } = useParams();
  return <SequenceEditorScreen key={sequenceId} sequenceId={sequenceId} />;
}
